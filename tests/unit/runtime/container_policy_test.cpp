#include "runtime/container_policy.hpp"

#include <catch2/catch.hpp>

#include "oci/support/error.hpp"
#include "oci/support/fs.hpp"
#include "policy/landlock_apply.hpp"
#include "test_tmpdir.hpp"

using namespace agentrt;
using namespace agentrt::runtime;

namespace {

oci::Spec spec_for(uint32_t uid, const std::string& cwd, std::vector<std::string> env = {}) {
  oci::Spec s;
  s.process.emplace();
  s.process->user.uid = uid;
  s.process->cwd = cwd;
  s.process->env = std::move(env);
  return s;
}

}  // namespace

TEST_CASE("container policy: agent-locked takes cwd and $HOME (env, else the rootfs's passwd)", "[policy]") {
  test::TempDir root;
  fs::mkdir_all(root.path() + "/etc", 0755);
  fs::write_file(root.path() + "/etc/passwd",
                 "root:x:0:0:root:/root:/bin/sh\nagent:x:1000:1000::/home/agent:/bin/sh\n");
  const std::string no_config = root.file("no-config.json");
  Context ctx;
  // A profile default is planned on any kernel (without Landlock the record says nothing was enforced).
  auto p = plan_container_policy(ctx, spec_for(1000, "/src"), policy::Profile::agent_locked, root.path(),
                                 no_config);
  REQUIRE(p.landlock);
  CHECK(p.landlock->write_paths ==
        std::vector<std::string>{"/tmp", "/var/tmp", "/dev/shm", "/src", "/home/agent"});
  CHECK(p.filesystem.at("writeSetBy") == "profile agent-locked");
  CHECK(p.network.at("egress") == nlohmann::json{"none"});
  REQUIRE(p.egress);  // planned here, enforced (and recorded so) when create attaches it
  CHECK_FALSE(p.network.contains("enforced"));
  CHECK(p.audit);
  CHECK(p.audit_source == "profile agent-locked");
  p = plan_container_policy(ctx, spec_for(0, "/", {"HOME=/work"}), policy::Profile::agent_locked, root.path(),
                            no_config);
  CHECK(p.landlock->write_paths == std::vector<std::string>{"/tmp", "/var/tmp", "/dev/shm", "/work"});
  // The recorded plan is what exec applies.
  auto again = recorded_landlock(nlohmann::json{{"filesystem", p.filesystem}});
  REQUIRE(again);
  CHECK(again->to_json() == p.filesystem);
  CHECK_FALSE(recorded_landlock(nlohmann::json{{"profile", "agent-default"}}));
}

TEST_CASE(
    "container policy: nothing asked under agent-default, an egress list that cannot be planned refused",
    "[policy]") {
  test::TempDir root;
  const std::string no_config = root.file("no-config.json");
  Context ctx;
  auto p =
      plan_container_policy(ctx, spec_for(0, "/"), policy::Profile::agent_default, root.path(), no_config);
  CHECK_FALSE(p.landlock);
  CHECK(p.filesystem.is_null());
  CHECK(p.network.is_null());
  CHECK_FALSE(p.audit);
  ctx.policy_flags.audit = "true";
  p = plan_container_policy(ctx, spec_for(0, "/"), policy::Profile::agent_default, root.path(), no_config);
  CHECK(p.audit);
  CHECK(p.audit_source == "--audit");
  ctx.policy_flags.audit.clear();
  ctx.policy_flags.egress = "dns";
  REQUIRE_THROWS_WITH(
      plan_container_policy(ctx, spec_for(0, "/"), policy::Profile::agent_default, root.path(), no_config),
      "--egress: \"dns\" allows the container's nameservers, but its resolv.conf names none");
  // The config file is read when neither annotation nor flag is given.
  ctx.policy_flags.egress.clear();
  fs::write_file(root.file("config.json"), R"({"fs.read": ["/usr", "/bin"]})");
  if (policy::landlock_abi() >= 1) {
    p = plan_container_policy(ctx, spec_for(0, "/"), policy::Profile::agent_default, root.path(),
                              root.file("config.json"));
    REQUIRE(p.landlock);
    CHECK(p.filesystem.at("read") == nlohmann::json{"/usr", "/bin"});
    CHECK(p.filesystem.at("readSetBy") == root.file("config.json") + ": fs.read");
  }
}
