// delete removes the container's cgroups everywhere; a failed create leaves none behind.
#include <algorithm>
#include <catch2/catch.hpp>

#include "integration/cgroup_cli/support.hpp"

using namespace cgroup_cli_test;

TEST_CASE("delete removes the container's cgroup from every hierarchy", "[delete]") {
  Fixture fx;
  auto& b = fx.bundle("del").script("while true; do sleep 1; done");
  int pid = fx.run_detached(b);
  ProcessCgroup cg(pid);
  auto dirs = cg.dirs();
  for (const auto& dir : dirs) {
    INFO(dir);
    CHECK(contains(dir.string(), b.id()));
    CHECK(stdfs::is_directory(dir));
  }
  auto controllers = cg.controllers();
  INFO("controllers: " << Catch::Detail::stringify(controllers));
  // pure v2: one directory with the controllers enabled for it; v1: one hierarchy per controller.
  for (const char* c : {"cpu", "cpuset", "memory", "pids"})
    CHECK(std::find(controllers.begin(), controllers.end(), c) != controllers.end());
  if (!cg.v2()) {
    for (const char* c : {"cpuacct", "blkio", "devices", "freezer"})
      CHECK(std::find(controllers.begin(), controllers.end(), c) != controllers.end());
  }
  CHECK(Fixture::leaked_cgroups(b.id()).size() == dirs.size());

  Result d = fx.agentrt({"delete", "-f", b.id()});
  INFO(d.all());
  REQUIRE(d.code == 0);
  for (const auto& dir : dirs) {
    INFO(dir);
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

TEST_CASE("a hidden cgroup2 mount stops the create with an error that says so, and nothing is left",
          "[delete]") {
  // The cgroup2 mount is shadowed by a tmpfs in a private mount namespace (the host is untouched). On a
  // hybrid host it sits next to the v1 hierarchies and libcgroup, which reads each cgroup2 mount listed in
  // /proc/mounts, fails its init without an errno; on pure v2 it is /sys/fs/cgroup itself.
  stdfs::path cgroup2 = cgroup2_mountpoint();
  if (cgroup2.empty()) {
    WARN("not run: this host has no cgroup2 mount to hide");
    return;
  }
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
                                   "mount -t tmpfs agentrt-test-mask \"$0\" && exec \"$@\"",
                                   cgroup2.string()};
  for (const auto& a : fx.argv({"run", "--bundle", b.dir().string(), b.id()})) argv.push_back(a);
  Result r = execute(argv);
  INFO("exit " << r.code << ": " << r.all());
  CHECK(r.code != 0);
  if (pure_cgroup_v2()) {
    // Hiding /sys/fs/cgroup hides every hierarchy: the error names the first controller the spec needs.
    CHECK(contains(r.err, "cgroup controller"));
    CHECK(contains(r.err, "is not available"));
  } else {
    CHECK(contains(r.err, "libcgroup init"));
    CHECK(contains(r.err, "ECGOTHER"));
  }
  CHECK_FALSE(contains(r.err, "Success"));
  CHECK(Fixture::leaked_cgroups(b.id()).empty());
  CHECK(fx.state(b.id()) == std::nullopt);
}
