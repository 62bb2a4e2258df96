#include "seccomp/agent_policy.hpp"

#include <linux/capability.h>
#include <stdlib.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "helpers.hpp"
#include "oci/support/error.hpp"
#include "oci/support/fs.hpp"
#include "seccomp/agent_profile.hpp"

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
  for (auto p : {Profile::agent_default, Profile::agent_dev, Profile::agent_nested, Profile::off,
                 Profile::agent_locked})
    REQUIRE(profile_from_name(to_string(p)) == p);
  REQUIRE_FALSE(profile_from_name("agent"));
}

TEST_CASE("policy: the minimum is the flag, else the config file, else agent-default", "[policy]") {
  TempDir tmp;
  std::string config = tmp.path + "/config.json";
  oci::Spec s;
  auto c = choose_profile(s, "", config);  // no config file
  CHECK(c.profile == Profile::agent_default);
  CHECK(c.minimum == Profile::agent_default);
  CHECK(c.minimum_source == "default");
  fs::write_file(config, R"({"profile": "agent-nested"})");
  c = choose_profile(s, "", config);
  CHECK(c.profile == Profile::agent_nested);
  CHECK(c.minimum_source == config);
  c = choose_profile(s, "agent-dev", config);
  CHECK(c.profile == Profile::agent_dev);
  CHECK(c.minimum == Profile::agent_dev);
  CHECK(c.minimum_source == "--profile");
  fs::write_file(config, R"({"other": 1})");
  REQUIRE(select_profile(oci::Spec{}, "", config) == Profile::agent_default);
}

TEST_CASE("policy: strictness order: off < agent-dev, agent-nested (incomparable) < agent-default",
          "[policy]") {
  const Profile all[] = {Profile::off, Profile::agent_dev, Profile::agent_nested, Profile::agent_default};
  for (Profile p : all) {
    CHECK(at_least_as_strict(p, p));
    CHECK(at_least_as_strict(p, Profile::off));
    CHECK(at_least_as_strict(Profile::agent_default, p));
  }
  CHECK_FALSE(at_least_as_strict(Profile::off, Profile::agent_dev));
  CHECK_FALSE(at_least_as_strict(Profile::off, Profile::agent_nested));
  CHECK_FALSE(at_least_as_strict(Profile::off, Profile::agent_default));
  CHECK_FALSE(at_least_as_strict(Profile::agent_dev, Profile::agent_default));
  CHECK_FALSE(at_least_as_strict(Profile::agent_nested, Profile::agent_default));
  CHECK_FALSE(at_least_as_strict(Profile::agent_dev, Profile::agent_nested));
  CHECK_FALSE(at_least_as_strict(Profile::agent_nested, Profile::agent_dev));
  // agent-locked is agent-default and more: above everything, and nothing else reaches it.
  for (Profile p : all) {
    CHECK(at_least_as_strict(Profile::agent_locked, p));
    CHECK_FALSE(at_least_as_strict(p, Profile::agent_locked));
  }
}

TEST_CASE("policy: agent-locked hardens the spec as agent-default does", "[policy]") {
  oci::Spec a = spec_with_caps(), b = spec_with_caps();
  auto locked = apply_agent_policy(a, Profile::agent_locked);
  auto def = apply_agent_policy(b, Profile::agent_default);
  CHECK(locked.profile == "agent-locked");
  CHECK(locked.changes == def.changes);
  CHECK(a.process->capabilities->bounding == b.process->capabilities->bounding);
  CHECK(a.linux->resources->pids->limit == b.linux->resources->pids->limit);
}

TEST_CASE("policy: an annotation tightens the administrator's minimum but never lowers it", "[policy]") {
  TempDir tmp;
  std::string config = tmp.path + "/config.json";
  oci::Spec s;
  s.annotations["run.agentrt.profile"] = "off";
  REQUIRE_THROWS_WITH(choose_profile(s, "agent-default", config),
                      "annotation run.agentrt.profile: \"off\" is less strict than the minimum profile "
                      "\"agent-default\" set by --profile; an annotation may only tighten it (allowed: "
                      "agent-default or agent-locked)");
  // No flag, no config file: agent-default is the minimum too.
  REQUIRE_THROWS_WITH(choose_profile(s, "", config),
                      Catch::Contains("minimum profile \"agent-default\" set by default"));
  s.annotations["run.agentrt.profile"] = "agent-nested";
  REQUIRE_THROWS_WITH(choose_profile(s, "agent-dev", config),
                      Catch::EndsWith("(allowed: agent-dev, agent-default or agent-locked)"));
  fs::write_file(config, R"({"profile": "agent-dev"})");
  REQUIRE_THROWS_WITH(choose_profile(s, "", config), Catch::Contains("set by " + config));
  // Tightening, or naming the minimum itself, is fine.
  s.annotations["run.agentrt.profile"] = "agent-default";
  CHECK(choose_profile(s, "off", config).profile == Profile::agent_default);
  CHECK(choose_profile(s, "agent-dev", config).profile == Profile::agent_default);
  s.annotations["run.agentrt.profile"] = "agent-nested";
  auto c = choose_profile(s, "off", config);
  CHECK(c.profile == Profile::agent_nested);
  CHECK(c.minimum == Profile::off);
  s.annotations["run.agentrt.profile"] = "off";
  CHECK(choose_profile(s, "off", config).profile == Profile::off);
}

TEST_CASE("policy: the report names the minimum and who set it", "[policy]") {
  PolicyReport r;
  r.profile = "agent-default";
  r.minimum = "agent-dev";
  r.minimum_source = "--profile";
  auto j = r.to_json();
  CHECK(j.at("minimum") == "agent-dev");
  CHECK(j.at("minimumSetBy") == "--profile");
  PolicyReport off;
  off.profile = "off";
  CHECK_FALSE(off.to_json().contains("minimum"));
}

TEST_CASE("policy: update clamps an unlimited pids limit as create does", "[policy]") {
  int64_t floor = seccomp::load_agent_profile("agent-default").pids_limit;
  REQUIRE(floor > 0);
  for (int64_t asked : {int64_t{-1}, int64_t{0}}) {
    oci::Resources r;
    r.pids = oci::PidsResources{asked};
    std::string note = clamp_pids_update(r, Profile::agent_default);
    CHECK(r.pids->limit == floor);
    CHECK(note == "pids limit " + std::to_string(asked) +
                      " (unlimited) is not allowed under the agent-default profile: set to " +
                      std::to_string(floor));
  }
  oci::Resources r;
  r.pids = oci::PidsResources{50};
  CHECK(clamp_pids_update(r, Profile::agent_default).empty());
  CHECK(r.pids->limit == 50);
  r.pids = oci::PidsResources{-1};
  CHECK(clamp_pids_update(r, Profile::off).empty());
  CHECK(r.pids->limit == -1);
  oci::Resources none;
  CHECK(clamp_pids_update(none, Profile::agent_default).empty());
  CHECK_FALSE(none.pids);
}

TEST_CASE("policy: the recorded profile of a container", "[policy]") {
  CHECK(recorded_profile(nlohmann::json(), "c1") == Profile::off);
  CHECK(recorded_profile({{"profile", "agent-dev"}}, "c1") == Profile::agent_dev);
  REQUIRE_THROWS_WITH(recorded_profile({{"profile", "x"}}, "c1"), "state of c1: unknown agent profile x");
}

TEST_CASE("policy: unknown profile names say where they came from", "[policy]") {
  TempDir tmp;
  std::string config = tmp.path + "/config.json";
  oci::Spec s;
  s.annotations["run.agentrt.profile"] = "yolo";
  REQUIRE_THROWS_WITH(
      select_profile(s, "", config),
      "annotation run.agentrt.profile: unknown profile \"yolo\" (expected agent-default, agent-locked, "
      "agent-dev, agent-nested or off)");
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
