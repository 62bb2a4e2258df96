// --systemd-cgroup on a host without systemd: runc's error, and nothing left behind. (With systemd as PID 1
// the driver is tested in the nested kernel: tests/v2vm/run_systemd.sh.)
#include <catch2/catch.hpp>

#include "integration/cgroup_cli/support.hpp"

using namespace cgroup_cli_test;

TEST_CASE("--systemd-cgroup without systemd fails clearly and leaves nothing", "[systemd]") {
  if (stdfs::exists("/run/systemd/system")) {
    WARN("not run: systemd runs on this host (the guest test tests/v2vm/run_systemd.sh covers that case)");
    return;
  }
  Fixture fx;
  auto& b = fx.bundle("systemd-none");
  b.config()["linux"]["cgroupsPath"] = "system.slice:agentrt:" + b.id();
  b.save();
  Result r = fx.agentrt({"--systemd-cgroup", "run", "--bundle", b.dir().string(), b.id()});
  INFO(r.all());
  CHECK(r.code != 0);
  CHECK(contains(r.err, "systemd not running on this host, cannot use systemd cgroups manager"));
  CHECK(Fixture::leaked_cgroups(b.id()).empty());
  CHECK(fx.state(b.id()) == std::nullopt);
}
