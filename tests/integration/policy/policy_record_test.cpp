// agent-locked, what `state` and `features` say about the policy, and settings refused at create leaving
// nothing behind.
#include <catch2/catch.hpp>

#include "integration_support/census.hpp"
#include "policy/landlock_apply.hpp"
#include "policy_support.hpp"

using namespace policy_test;

TEST_CASE("agent-locked: writes only under /tmp, /var/tmp, /dev/shm, cwd and $HOME", "[locked]") {
  if (agentrt::policy::landlock_abi() < 1) {
    WARN("not run: the kernel has no Landlock");
    return;
  }
  PolicyRuntime rt(itest::profile_flags("agent-locked"));
  PolicyBundle b("landlock-locked");
  b.config()["process"]["cwd"] = "/workspace";
  const std::string home = "/home/agent";  // a container path
  b.config()["process"]["env"].push_back("HOME=" + home);
  b.make_rootfs_dir(home);
  b.script("sleep 60");
  REQUIRE(rt.create(b).code == 0);
  REQUIRE(rt({"start", b.id()}, 30).code == 0);
  auto r = rt({"exec", b.id(), "sh", "-c",
               probe_script({{"tmp", "fs_create /tmp/a"},
                             {"var_tmp", "fs_create /var/tmp/a"},
                             {"dev_shm", "fs_create /dev/shm/a"},
                             {"cwd", "fs_create /workspace/a"},
                             {"home", "fs_create " + home + "/a"},
                             {"data", "fs_create /data/a"},
                             {"etc", "fs_write /etc/passwd"}})},
              60);
  INFO(r.all());
  REQUIRE(r.code == 0);
  auto m = itest::key_values(r.out);
  for (const char* ok : {"tmp", "var_tmp", "dev_shm", "cwd", "home"}) {
    INFO(ok);
    CHECK(m[ok] == "OK");
  }
  CHECK(m["data"] == "EACCES");
  CHECK(m["etc"] == "EACCES");
  CHECK_FALSE(b.host_exists("/data/a"));

  auto st = rt.state(b.id());
  REQUIRE(st);
  const json& policy = (*st)["agentrt"]["agentPolicy"];
  INFO(policy.dump(2));
  CHECK(policy["profile"] == "agent-locked");
  const json& fs = policy["filesystem"];
  CHECK(fs["writeSetBy"] == "profile agent-locked");
  CHECK(fs["write"] == json{"/tmp", "/var/tmp", "/dev/shm", "/workspace", "/home/agent"});
  CHECK(fs["read"] == "*");
  CHECK(fs["abi"] == agentrt::policy::landlock_abi());
  CHECK(fs["handled"].size() >= 13);
  // The egress default: nothing but the container's own loopback, enforced by the cgroup BPF filter.
  CHECK(policy["network"]["egress"] == json{"none"});
  CHECK(policy["network"]["egressSetBy"] == "profile agent-locked");
  CHECK(policy["network"]["enforced"] == true);
  CHECK(policy["network"]["loopback"] == true);
  CHECK(policy["network"]["denied"] == 0);
}

TEST_CASE("state records what the kernel enforces for an explicit fs.write", "[record]") {
  if (agentrt::policy::landlock_abi() < 6) {
    WARN("not run: the record of scopes needs Landlock ABI 6");
    return;
  }
  PolicyRuntime rt(itest::profile_flags("off"));
  PolicyBundle b("landlock-record");
  b.annotate("run.agentrt.fs.write", "/workspace");
  b.script("sleep 60");
  REQUIRE(rt.create(b).code == 0);
  auto st = rt.state(b.id());
  REQUIRE(st);
  const json& fs = (*st)["agentrt"]["agentPolicy"]["filesystem"];
  INFO(fs.dump(2));
  CHECK(fs["writeSetBy"] == "annotation run.agentrt.fs.write");
  // Its own pid and network namespaces already stop outside signals and abstract sockets (see plan_landlock).
  CHECK(fs["scopes"].empty());
  CHECK(fs["notScoped"].size() == 2);
  CHECK(fs["leftOut"].empty());
  CHECK(fs["handled"].back() == "ioctl_dev");
}

TEST_CASE("settings refused at create name the field and leave nothing behind", "[refused]") {
  const std::string tag = "landlock-refused";
  PolicyRuntime rt(itest::profile_flags("off"));
  auto before = itest::take_census(tag, rt.root());
  struct Case {
    std::string key, value, message;
  };
  std::vector<Case> cases = {
      {"run.agentrt.fs.write", "workspace",
       "annotation run.agentrt.fs.write: \"workspace\" is not an absolute container path"},
      {"run.agentrt.fs.read", "/a/../b",
       "annotation run.agentrt.fs.read: \"/a/../b\" has a \"..\" component"},
      {"run.agentrt.net.egress", "10.0.0.1:99999",
       "annotation run.agentrt.net.egress: invalid egress entry \"10.0.0.1:99999\""},
      // Well-formed, but not concrete: a name without addresses, dns without nameservers.
      {"run.agentrt.net.egress", "nosuch-host.invalid:443",
       "annotation run.agentrt.net.egress: cannot resolve host nosuch-host.invalid"},
      {"run.agentrt.net.egress", "dns",
       "annotation run.agentrt.net.egress: \"dns\" allows the container's nameservers, but its resolv.conf "
       "names none"},
  };
  int n = 0;
  for (const auto& c : cases) {
    INFO(c.key << "=" << c.value);
    PolicyBundle b(tag + "-" + std::to_string(n++));
    b.annotate(c.key, c.value);
    auto r = rt.create(b);
    CHECK(r.code != 0);
    CHECK(itest::contains(itest::unescape_quotes(r.err), c.message));
  }
  auto flag = PolicyRuntime({"--egress", "dns"});
  PolicyBundle fb(tag + "-flag");
  auto r = flag.create(fb);
  CHECK(r.code != 0);
  CHECK(
      itest::contains(itest::unescape_quotes(r.err), "--egress: \"dns\" allows the container's nameservers"));
  CHECK(itest::census_diff(before, itest::take_census(tag, rt.root())) == "");
}

TEST_CASE("features lists the policy annotations", "[features]") {
  PolicyRuntime rt;
  auto r = rt({"features"}, 30);
  REQUIRE(r.code == 0);
  auto ann = json::parse(r.out)["annotations"];
  CHECK(ann.contains("run.agentrt.fs.write"));
  CHECK(ann.contains("run.agentrt.fs.read"));
  CHECK(ann.contains("run.agentrt.net.egress"));
  CHECK(ann["run.agentrt.profile"] == "agent-default|agent-locked|agent-dev|agent-nested|off");
}
