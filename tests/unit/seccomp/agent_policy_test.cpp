#include "seccomp/agent_policy.hpp"

#include <linux/capability.h>
#include <stdlib.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "helpers.hpp"
#include "oci/support/error.hpp"
#include "oci/support/fs.hpp"

using namespace agentrt;
using namespace agentrt::policy;
using namespace agentrt::seccomp::test;

namespace {

struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/agentrt-policy-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

oci::Spec spec_with_caps() {
  oci::Spec s;
  s.process.emplace();
  std::vector<int> caps{CAP_CHOWN, CAP_SYS_ADMIN, CAP_NET_RAW, CAP_SYS_PTRACE, CAP_KILL};
  s.process->capabilities = oci::Capabilities{caps, caps, {}, caps, {CAP_SYS_ADMIN}};
  s.linux.emplace();
  return s;
}

bool has(const std::vector<int>& v, int c) {
  return std::find(v.begin(), v.end(), c) != v.end();
}

bool mentions(const PolicyReport& r, const std::string& s) {
  return std::any_of(r.changes.begin(), r.changes.end(),
                     [&](const std::string& c) { return c.find(s) != std::string::npos; });
}

}  // namespace

TEST_CASE("policy: profile names round-trip", "[policy]") {
  for (auto p : {Profile::agent_default, Profile::agent_dev, Profile::agent_nested, Profile::off})
    REQUIRE(profile_from_name(to_string(p)) == p);
  REQUIRE_FALSE(profile_from_name("agent"));
}

TEST_CASE("policy: selection order is annotation, flag, config file, default", "[policy]") {
  TempDir tmp;
  std::string config = tmp.path + "/config.json";
  oci::Spec s;
  REQUIRE(select_profile(s, "", config) == Profile::agent_default);  // no config file
  fs::write_file(config, R"({"profile": "agent-nested"})");
  REQUIRE(select_profile(s, "", config) == Profile::agent_nested);
  REQUIRE(select_profile(s, "agent-dev", config) == Profile::agent_dev);
  s.annotations["run.agentrt.profile"] = "off";
  REQUIRE(select_profile(s, "agent-dev", config) == Profile::off);
  fs::write_file(config, R"({"other": 1})");
  REQUIRE(select_profile(oci::Spec{}, "", config) == Profile::agent_default);
}

TEST_CASE("policy: unknown profile names say where they came from", "[policy]") {
  TempDir tmp;
  std::string config = tmp.path + "/config.json";
  oci::Spec s;
  s.annotations["run.agentrt.profile"] = "yolo";
  REQUIRE_THROWS_WITH(
      select_profile(s, "", config),
      "annotation run.agentrt.profile: unknown profile \"yolo\" (expected agent-default, agent-dev, "
      "agent-nested or off)");
  REQUIRE_THROWS_WITH(select_profile(oci::Spec{}, "strict", config),
                      Catch::StartsWith("--profile: unknown profile \"strict\""));
  fs::write_file(config, R"({"profile": "nope"})");
  REQUIRE_THROWS_WITH(select_profile(oci::Spec{}, "", config),
                      Catch::StartsWith(config + ": profile: unknown profile \"nope\""));
  fs::write_file(config, "{not json");
  REQUIRE_THROWS_WITH(select_profile(oci::Spec{}, "", config), Catch::StartsWith(config + ": "));
}

TEST_CASE("policy: off changes nothing", "[policy]") {
  auto s = spec_with_caps();
  auto report = apply_agent_policy(s, Profile::off);
  REQUIRE(report.profile == "off");
  REQUIRE(report.changes.empty());
  REQUIRE_FALSE(s.process->no_new_privileges);
  REQUIRE(has(s.process->capabilities->bounding, CAP_SYS_ADMIN));
  REQUIRE_FALSE(s.linux->seccomp);
  REQUIRE_FALSE(s.linux->resources);
}

TEST_CASE("policy: agent-default hardens the spec and reports every change", "[policy]") {
  auto s = spec_with_caps();
  auto report = apply_agent_policy(s, Profile::agent_default);
  REQUIRE(report.profile == "agent-default");
  REQUIRE(s.process->no_new_privileges);
  REQUIRE(mentions(report, "process: noNewPrivileges set"));
  const auto& caps = *s.process->capabilities;
  for (int c : {CAP_SYS_ADMIN, CAP_NET_RAW, CAP_SYS_PTRACE}) {
    REQUIRE_FALSE(has(caps.bounding, c));
    REQUIRE_FALSE(has(caps.effective, c));
    REQUIRE_FALSE(has(caps.permitted, c));
    REQUIRE_FALSE(has(caps.ambient, c));
  }
  REQUIRE(has(caps.bounding, CAP_CHOWN));
  REQUIRE(has(caps.bounding, CAP_KILL));
  REQUIRE(
      mentions(report, "capabilities: dropped CAP_SYS_ADMIN from bounding, effective, permitted, ambient"));
  REQUIRE(s.linux->resources->pids->limit == 4096);
  REQUIRE(mentions(report, "resources: pids limit set to 4096"));
  REQUIRE(s.linux->seccomp);
  REQUIRE(s.linux->seccomp->architectures == std::vector<std::string>{"SCMP_ARCH_X86_64"});
  REQUIRE(mentions(report, "the spec has no filter, using the full agent-default filter"));
  REQUIRE_FALSE(mentions(report, "replaced the spec's"));  // the base allowlist is not the spec's
  REQUIRE(mentions(report, "agent-default denies"));
  std::vector<std::string> w;
  auto p = seccomp::compile(*s.linux->seccomp, w);
  REQUIRE(decide(p, SYS_ptrace) == errno_ret(EPERM));
  REQUIRE(decide(p, SYS_read) == SECCOMP_RET_ALLOW);
  auto j = report.to_json();
  REQUIRE(j["profile"] == "agent-default");
  REQUIRE(j["changes"].size() == report.changes.size());
}

TEST_CASE("policy: an existing pids limit and no_new_privileges are left alone", "[policy]") {
  auto s = spec_with_caps();
  s.process->no_new_privileges = true;
  s.linux->resources.emplace();
  s.linux->resources->pids = oci::PidsResources{100};
  auto report = apply_agent_policy(s, Profile::agent_default);
  REQUIRE(s.linux->resources->pids->limit == 100);
  REQUIRE_FALSE(mentions(report, "pids"));
  REQUIRE_FALSE(mentions(report, "noNewPrivileges"));
}

TEST_CASE("policy: agent-dev keeps CAP_SYS_PTRACE, the spec's filter is layered not replaced", "[policy]") {
  auto s = spec_with_caps();
  s.linux->seccomp = filter(oci::SeccompAction::errno_ret,
                            {rule({"read", "ptrace", "write", "openat"}, oci::SeccompAction::allow)});
  auto report = apply_agent_policy(s, Profile::agent_dev);
  REQUIRE(has(s.process->capabilities->bounding, CAP_SYS_PTRACE));
  REQUIRE_FALSE(has(s.process->capabilities->bounding, CAP_SYS_ADMIN));
  REQUIRE_FALSE(mentions(report, "full"));
  REQUIRE_FALSE(mentions(report, "rule for ptrace"));  // agent-dev leaves ptrace to the spec
  REQUIRE(mentions(report, "agent-dev denies"));
  std::vector<std::string> w;
  auto p = seccomp::compile_layers(*s.linux->seccomp, report.floor_filter, w);
  REQUIRE(decide(p, SYS_ptrace) == SECCOMP_RET_ALLOW);
  REQUIRE(decide(p, SYS_getpid) == errno_ret(EPERM));  // the spec did not allow it, the floor does not add it
  REQUIRE(decide(p, SYS_bpf) == errno_ret(EPERM));
}
