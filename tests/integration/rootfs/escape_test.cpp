// Symlinks in the rootfs must not send mounts onto the host.
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "harness.hpp"
#include "oci/support/fs.hpp"

namespace stdfs = std::filesystem;
using namespace agentrt;
using namespace rootfs_test;

TEST_CASE("an absolute symlink to /etc keeps the mount inside the rootfs") {
  if (geteuid() != 0) FAIL("needs root");
  BusyboxRootfs fs;
  stdfs::create_directory_symlink("/etc", fs.rootfs() / "evil");
  stdfs::create_directory_symlink("../../../../../../../../etc", fs.rootfs() / "evil-relative");
  const stdfs::path host_target = "/etc/agentrt-escape-test";
  REQUIRE_FALSE(stdfs::exists(host_target));

  oci::Spec spec = default_spec();
  spec.mounts.push_back(make_mount("/evil/agentrt-escape-test", "tmpfs", "tmpfs", {"size=1m"}));
  spec.mounts.push_back(make_mount("/evil-relative/agentrt-escape-rel", "tmpfs", "tmpfs", {"size=1m"}));
  spec.mounts.push_back(make_mount("/../../../etc/agentrt-escape-dotdot", "tmpfs", "tmpfs", {"size=1m"}));
  auto r =
      run_in_container(spec, fs.rootfs().string(), {},
                       std::string(kPrintMounts) + "echo inside > /etc/agentrt-escape-test/f && echo wrote");
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  auto mounts = container_mounts(r.output);
  // The mounts landed on the rootfs's own /etc ...
  for (const char* p :
       {"/etc/agentrt-escape-test", "/etc/agentrt-escape-rel", "/etc/agentrt-escape-dotdot"}) {
    INFO(p);
    auto m = find_mount(mounts, p);
    REQUIRE(m);
    CHECK(m->fstype == "tmpfs");
    CHECK(stdfs::is_directory(fs.rootfs() / stdfs::path(p).relative_path()));
  }
  CHECK(r.output.find("wrote") != std::string::npos);
  // ... and the host's /etc is untouched (run_in_container also compared the host mount table).
  CHECK_FALSE(stdfs::exists(host_target));
  CHECK_FALSE(stdfs::exists("/etc/agentrt-escape-rel"));
  CHECK_FALSE(stdfs::exists("/etc/agentrt-escape-dotdot"));
}

TEST_CASE("a bind onto a file symlinked to a host file stays inside the rootfs") {
  if (geteuid() != 0) FAIL("needs root");
  BusyboxRootfs fs;
  REQUIRE(stdfs::exists("/etc/hostname"));
  const std::string host_before = agentrt::fs::read_file("/etc/hostname");
  fs.write("/etc/hostname", "image-hostname\n");
  stdfs::path source = fs.dir() / "payload.txt";
  std::ofstream(source) << "payload\n";
  stdfs::create_symlink("/etc/hostname", fs.rootfs() / "etc/link-to-hostname");

  oci::Spec spec = default_spec();
  spec.mounts.push_back(make_mount("/etc/link-to-hostname", "bind", source.string(), {"bind"}));
  auto r = run_in_container(spec, fs.rootfs().string(), {}, std::string(kPrintMounts) + "cat /etc/hostname");
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  // The symlink was followed inside the rootfs: the image's /etc/hostname got the bind ...
  auto mounts = container_mounts(r.output);
  REQUIRE(find_mount(mounts, "/etc/hostname"));
  CHECK(find_mount(mounts, "/etc/hostname")->root == fs_root_of(source.string()));
  CHECK(r.output.find("payload") != std::string::npos);
  // ... and the host's file is unchanged.
  CHECK(agentrt::fs::read_file("/etc/hostname") == host_before);
}

TEST_CASE("a dangling symlink to a host path is refused and nothing is created on the host") {
  if (geteuid() != 0) FAIL("needs root");
  BusyboxRootfs fs;
  stdfs::path victim_dir = fs.dir() / "victim-dir";
  stdfs::create_directories(victim_dir);
  stdfs::create_directory_symlink(victim_dir / "new", fs.rootfs() / "escape");

  oci::Spec spec = default_spec();
  spec.mounts.push_back(make_mount("/escape/sub", "tmpfs", "tmpfs", {}));
  auto r = run_in_container(spec, fs.rootfs().string(), {}, "echo should-not-run");
  INFO(r.output);
  CHECK(r.exit_code == 111);
  CHECK(r.output.find("setup error: mount tmpfs to /escape/sub (in rootfs " + fs.rootfs().string() +
                      "): mkdir /escape: refusing to follow a dangling symlink") != std::string::npos);
  CHECK(stdfs::is_empty(victim_dir));
}

TEST_CASE("a bind onto a dangling file symlink to a host path is refused") {
  if (geteuid() != 0) FAIL("needs root");
  BusyboxRootfs fs;
  stdfs::path victim_dir = fs.dir() / "victim-dir";
  stdfs::create_directories(victim_dir);
  stdfs::path source = fs.dir() / "payload.txt";
  std::ofstream(source) << "payload\n";
  stdfs::create_symlink(victim_dir / "victim.txt", fs.rootfs() / "etc/link");

  oci::Spec spec = default_spec();
  spec.mounts.push_back(make_mount("/etc/link", "bind", source.string(), {"bind"}));
  auto r = run_in_container(spec, fs.rootfs().string(), {}, "echo should-not-run");
  INFO(r.output);
  CHECK(r.exit_code == 111);
  CHECK(r.output.find("create /etc/link: refusing to follow a dangling symlink") != std::string::npos);
  CHECK(stdfs::is_empty(victim_dir));
}

TEST_CASE("mounts inside /proc are refused") {
  if (geteuid() != 0) FAIL("needs root");
  BusyboxRootfs fs;
  oci::Spec spec = default_spec();
  spec.mounts.push_back(make_mount("/proc/sys", "bind", fs.dir().string(), {"rbind"}));
  auto r = run_in_container(spec, fs.rootfs().string(), {}, "echo should-not-run");
  INFO(r.output);
  CHECK(r.exit_code == 111);
  CHECK(r.output.find("mount " + fs.dir().string() + " to /proc/sys (in rootfs " + fs.rootfs().string() +
                      "): \"/proc/sys\" cannot be mounted because it is inside /proc") != std::string::npos);
}

TEST_CASE("a directory swapped for a symlink during setup never sends a mount or mkdir to the host") {
  if (geteuid() != 0) FAIL("needs root");
  BusyboxRootfs fs;
  const stdfs::path victim = fs.dir() / "victim";
  stdfs::create_directories(victim);
  // The symlink's target also exists inside the rootfs, so resolution in the root always finds a directory.
  stdfs::create_directories(fs.rootfs() / victim.relative_path());
  stdfs::create_directories(fs.rootfs() / "race");
  stdfs::create_directory_symlink(victim, fs.rootfs() / "race-link");

  oci::Spec spec = default_spec();
  for (int i = 0; i < 200; ++i)
    spec.mounts.push_back(make_mount("/race/m" + std::to_string(i), "tmpfs", "tmpfs", {}));

  // A separate process (not a thread: the container is forked) swaps race and race-link as fast as it can.
  pid_t flipper = fork();
  REQUIRE(flipper >= 0);
  if (flipper == 0) {
    const std::string a = (fs.rootfs() / "race").string(), b = (fs.rootfs() / "race-link").string();
    for (;;) renameat2(AT_FDCWD, a.c_str(), AT_FDCWD, b.c_str(), RENAME_EXCHANGE);
  }
  auto r = run_in_container(spec, fs.rootfs().string(), {}, kPrintMounts);
  kill(flipper, SIGKILL);
  waitpid(flipper, nullptr, 0);
  INFO(r.output);
  CHECK((r.exit_code == 0 || r.exit_code == 111));
  CHECK(stdfs::is_empty(victim));
  // Every mount that was made is inside the rootfs: under /race, or under the in-root copy of the victim
  // path.
  for (const auto& m : container_mounts(r.output)) {
    if (m.mountpoint.find("/m") == std::string::npos || m.fstype != "tmpfs") continue;
    bool in_race = m.mountpoint.rfind("/race/", 0) == 0 || m.mountpoint.rfind("/race-link/", 0) == 0;
    bool in_copy = m.mountpoint.rfind(victim.string() + "/", 0) == 0;
    CHECK((in_race || in_copy));
  }
}
