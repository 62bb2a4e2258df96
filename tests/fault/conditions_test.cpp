// Create and delete under hostile conditions: a full state filesystem, a cgroup the kernel refuses to write,
// a missing rootfs, two runtimes on the same id at once. Each must end in a clear error or a working
// container, and leave nothing behind.
#include <sys/mount.h>

#include <catch2/catch.hpp>
#include <functional>
#include <iostream>

#include "fault_env.hpp"
#include "integration_support/bundle.hpp"
#include "integration_support/text.hpp"

namespace fault {
namespace {

// Runs create with a config changed by edit; returns its result and checks nothing is left.
itest::Result create_with(const FaultEnv& env, const std::string& name,
                          const std::function<void(nlohmann::json&)>& edit) {
  auto config = nlohmann::json::parse(itest::read_text(env.bundle() / "config.json"));
  edit(config);
  auto dir = env.base() / name;
  stdfs::create_directories(dir);
  itest::write_text(dir / "config.json", config.dump());
  std::error_code ec;
  stdfs::create_directory_symlink(env.bundle() / "rootfs", dir / "rootfs", ec);
  auto before = env.census();
  auto r = env.run({"create", "--bundle", dir, env.id(name)});
  if (r.code == 0) env.run({"delete", "-f", env.id(name)});
  CHECK(itest::census_diff(before, env.census()) == "");
  return r;
}

}  // namespace

TEST_CASE("a full state filesystem fails create cleanly, at every fill level", "[conditions][full]") {
  FaultEnv env("full");
  auto root = env.base() / "small-root";
  stdfs::create_directories(root);
  REQUIRE(mount("tmpfs", root.c_str(), "tmpfs", 0, "size=256k") == 0);
  itest::Runtime rt(itest::agentrt_bin(), root / "state", {});
  stdfs::create_directories(rt.root());
  auto before = itest::take_census(env.tag(), rt.root());
  int failed_cleanly = 0, succeeded = 0;
  // Leave 0, 4 KiB, 8 KiB ... free until create fits.
  for (int free_pages = 0; free_pages <= 48; ++free_pages) {
    INFO("free pages: " << free_pages);
    auto filler_size = 256 * 1024 - 4096 * (free_pages + 2);  // the state dir itself takes a page
    itest::write_text(root / "filler", std::string(std::max(0, filler_size), 'x'));
    std::string id = env.id("full-" + std::to_string(free_pages));
    auto r = rt({"create", "--bundle", env.bundle(), id}, 20);
    if (r.code == 0) {
      ++succeeded;
      CHECK(rt({"start", id}).code == 0);
      CHECK(rt({"delete", "-f", id}).code == 0);
    } else {
      ++failed_cleanly;
      INFO(r.err);
      CHECK(r.code > 0);
      CHECK(itest::contains(r.err, "No space left on device"));
      CHECK(rt({"list"}).code == 0);
      CHECK(rt({"state", id}).code != 0);
    }
    CHECK(itest::census_diff(before, itest::take_census(env.tag(), rt.root())) == "");
    if (succeeded >= 2) break;
  }
  std::cout << "full state fs: " << failed_cleanly << " fill levels failed create, " << succeeded
            << " succeeded\n";
  CHECK(failed_cleanly > 0);
  CHECK(succeeded > 0);
  stdfs::remove(root / "filler");
  umount2(root.c_str(), MNT_DETACH);
}

TEST_CASE("a cgroup the kernel refuses to write fails create cleanly", "[conditions][cgroup]") {
  FaultEnv env("cgroup");
  SECTION("cpuset.cpus naming cpus that do not exist") {
    auto r = create_with(env, "cpus", [](auto& c) { c["linux"]["resources"]["cpu"]["cpus"] = "4000-4001"; });
    INFO(r.err);
    CHECK(r.code != 0);
    CHECK(itest::contains(r.err, "cpus"));
  }
  SECTION("a cgroupsPath whose last part is a cgroup file, not a directory") {
    auto r = create_with(env, "notdir", [&](auto& c) {
      c["linux"]["cgroupsPath"] = "/" + env.id("notdir") + "/cgroup.procs";
    });
    INFO(r.err);
    CHECK(r.code != 0);
  }
}

TEST_CASE("a missing rootfs fails create cleanly", "[conditions][rootfs]") {
  FaultEnv env("rootfs");
  auto r = create_with(env, "norootfs", [](auto& c) { c["root"]["path"] = "no-such-rootfs"; });
  INFO(r.err);
  CHECK(r.code != 0);
  CHECK(itest::contains(r.err, "no-such-rootfs"));
}

TEST_CASE("two runtimes creating or deleting the same id at once", "[conditions][race]") {
  FaultEnv env("race");
  auto before = env.census();
  for (int round = 0; round < 10; ++round) {
    INFO("round " << round);
    std::string id = env.id("r" + std::to_string(round));
    {
      itest::Background a(env.runtime().argv({"create", "--bundle", env.bundle(), id}), env.base() / "a.out");
      itest::Background b(env.runtime().argv({"create", "--bundle", env.bundle(), id}), env.base() / "b.out");
      auto ca = a.wait(30), cb = b.wait(30);
      REQUIRE(ca);
      REQUIRE(cb);
      INFO(a.output() << itest::read_text(env.base() / "a.out.err") << b.output()
                      << itest::read_text(env.base() / "b.out.err"));
      CHECK(((*ca == 0) != (*cb == 0)));
      auto loser_err = itest::read_text(env.base() / (*ca == 0 ? "b.out.err" : "a.out.err"));
      CHECK(itest::contains(loser_err, "exists"));
    }
    CHECK(env.run({"start", id}).code == 0);
    {
      itest::Background a(env.runtime().argv({"delete", "-f", id}), env.base() / "a.out");
      itest::Background b(env.runtime().argv({"delete", "-f", id}), env.base() / "b.out");
      auto ca = a.wait(30), cb = b.wait(30);
      REQUIRE(ca);
      REQUIRE(cb);
      INFO(itest::read_text(env.base() / "a.out.err") << itest::read_text(env.base() / "b.out.err"));
      CHECK((*ca == 0 || *cb == 0));
    }
    CHECK(env.run({"state", id}).code != 0);
    CHECK(itest::census_diff(before, env.census()) == "");
  }
}

}  // namespace fault
