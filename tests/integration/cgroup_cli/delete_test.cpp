// delete removes the container's cgroups everywhere; a failed create leaves none behind.
#include <catch2/catch.hpp>

#include "integration/cgroup_cli/support.hpp"

using namespace cgroup_cli_test;

TEST_CASE("delete removes the container's cgroup from every hierarchy", "[delete]") {
  Fixture fx;
  auto& b = fx.bundle("del").script("while true; do sleep 1; done");
  int pid = fx.run_detached(b);
  auto dirs = cgroup_dirs(pid);
  int named = 0;
  for (const auto& [controller, dir] : dirs) {
    if (!contains(dir.string(), b.id())) continue;
    ++named;
    CHECK(stdfs::is_directory(dir));
  }
  CHECK(named >= 8);  // cpu, cpuacct, cpuset, memory, pids, blkio, devices, freezer
  CHECK(Fixture::leaked_cgroups(b.id()).size() >= 8);

  Result d = fx.agentrt({"delete", "-f", b.id()});
  INFO(d.all());
  REQUIRE(d.code == 0);
  for (const auto& [controller, dir] : dirs) {
    INFO(controller << ": " << dir);
    CHECK_FALSE(stdfs::exists(dir));
  }
  CHECK(Fixture::leaked_cgroups(b.id()).empty());
  CHECK(fx.state(b.id()) == std::nullopt);
}

TEST_CASE("a create that fails after making the cgroup leaves no cgroup", "[delete]") {
  Fixture fx;
  auto& b = fx.bundle("badexec");
  b.config()["process"]["args"] = {"/no/such/executable"};
  b.resources()["pids"] = {{"limit", 50}};
  b.save();
  Result c = fx.agentrt({"create", "--bundle", b.dir().string(), b.id()});
  INFO(c.all());
  CHECK(c.code != 0);
  CHECK(contains(c.err, "/no/such/executable"));
  CHECK(Fixture::leaked_cgroups(b.id()).empty());
  CHECK(fx.state(b.id()) == std::nullopt);
}
