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

TEST_CASE("a hidden cgroup2 mount stops libcgroup with an error that says so, and nothing is left",
          "[delete]") {
  // libcgroup reads each cgroup2 mount listed in /proc/mounts; one shadowed by another mount (a private mount
  // namespace here, the host is untouched) makes its init fail without an errno.
  // Like the rest of this suite it needs the hybrid host (a cgroup2 mount next to the v1 hierarchies).
  REQUIRE(stdfs::exists("/sys/fs/cgroup/unified/cgroup.controllers"));
  Fixture fx;
  auto& b = fx.bundle("hidden-v2");
  b.save();
  std::vector<std::string> argv = {"/usr/bin/unshare",
                                   "--mount",
                                   "--propagation",
                                   "private",
                                   "--",
                                   "/bin/sh",
                                   "-c",
                                   "mount -t tmpfs agentrt-test-mask /sys/fs/cgroup/unified && exec \"$@\"",
                                   "sh"};
  for (const auto& a : fx.argv({"run", "--bundle", b.dir().string(), b.id()})) argv.push_back(a);
  Result r = execute(argv);
  INFO("exit " << r.code << ": " << r.all());
  CHECK(r.code != 0);
  CHECK(contains(r.err, "libcgroup init"));
  CHECK(contains(r.err, "ECGOTHER"));
  CHECK_FALSE(contains(r.err, "Success"));
  CHECK(Fixture::leaked_cgroups(b.id()).empty());
  CHECK(fx.state(b.id()) == std::nullopt);
}
