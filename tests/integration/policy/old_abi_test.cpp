// A kernel whose Landlock ABI is older than 3 (the nested 6.1 kernel has ABI 2: no TRUNCATE, IOCTL_DEV or
// scopes): an explicit fs.write is refused, a profile's default is enforced as far as it goes and the record
// says what was left out. Runs only there (tests/v2vm/v2vm.sh); elsewhere it prints a skip.
#include <catch2/catch.hpp>

#include "integration_support/census.hpp"
#include "policy/landlock_apply.hpp"
#include "policy_support.hpp"

using namespace policy_test;

TEST_CASE("old Landlock ABI: explicit fs.write refused, agent-locked records what was left out",
          "[old-abi]") {
  const int abi = agentrt::policy::landlock_abi();
  if (abi < 1 || abi > 2) {
    WARN("not run: needs a kernel with Landlock ABI 1 or 2 (this one has " << abi
                                                                           << "); run it in tests/v2vm");
    return;
  }
  const std::string tag = "landlock-oldabi";
  PolicyRuntime rt(itest::profile_flags("agent-default"));
  auto before = itest::take_census(tag, rt.root());
  {
    PolicyBundle b(tag + "-explicit");
    b.annotate("run.agentrt.fs.write", "/workspace");
    auto r = rt.create(b);
    INFO(r.all());
    CHECK(r.code != 0);
    CHECK(itest::contains(r.err, "annotation run.agentrt.fs.write: the kernel's Landlock ABI " +
                                     std::to_string(abi) +
                                     " cannot stop truncate(2) outside the write list"));
  }
  CHECK(itest::census_diff(before, itest::take_census(tag, rt.root())) == "");

  PolicyRuntime locked(itest::profile_flags("agent-locked"));
  PolicyBundle b(tag + "-locked");
  b.script("sleep 60");
  REQUIRE(locked.create(b).code == 0);
  auto st = locked.state(b.id());
  REQUIRE(st);
  const json& fs = (*st)["agentrt"]["agentPolicy"]["filesystem"];
  INFO(fs.dump(2));
  CHECK(fs["abi"] == abi);
  CHECK(fs["scopes"].empty());
  std::string left = fs["leftOut"].dump();
  CHECK(itest::contains(left, "truncate (ABI 3)"));
  CHECK(itest::contains(left, "ioctl_dev (ABI 5)"));
  CHECK(itest::contains(left, "scopes (ABI 6)"));
  auto r = locked({"start", b.id()}, 30);
  REQUIRE(r.code == 0);
  // What ABI 2 does enforce holds; truncate(2), which it cannot stop, goes through as the record says.
  auto e = locked({"exec", b.id(), "sh", "-c",
                   probe_script({{"tmp", "fs_create /tmp/b"},
                                 {"data", "fs_create /data/b"},
                                 {"write", "fs_write /data/file.txt"},
                                 {"truncate", "fs_truncate /data/file.txt"}})},
                  60);
  INFO(e.all());
  auto m = itest::key_values(e.out);
  CHECK(m["tmp"] == "OK");
  CHECK(m["data"] == "EACCES");
  CHECK(m["write"] == "EACCES");
  CHECK(m["truncate"] == "OK");
  CHECK_FALSE(b.host_exists("/data/b"));
  CHECK(b.host_file("/data/file.txt").empty());
}
