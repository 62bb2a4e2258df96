// The root filesystem the container sees: pivot_root, read-only root, mounts, devices, masked and read-only
// paths, sysctls and root propagation.
#include <sys/stat.h>

#include <catch2/catch.hpp>

#include "support.hpp"

using namespace lifecycle_test;

namespace {

json mount_entry(const std::string& dest, const std::string& type, const std::string& source,
                 std::vector<std::string> options) {
  return {{"destination", dest}, {"type", type}, {"source", source}, {"options", options}};
}

bool has_option(const std::string& options, const std::string& opt) {
  return ("," + options + ",").find("," + opt + ",") != std::string::npos;
}

std::string escape_check() {
  return std::string("echo ROOTFS=$(cat /ROOTFS_MARKER); echo HOSTRUN=$(ls /run 2>/dev/null | wc -l); ") +
         "echo TOP=$(ls / | tr '\\n' ' '); ";
}

}  // namespace

TEST_CASE("pivot_root: the container sees only its rootfs", "[rootfs]") {
  Fixture fx;
  auto& b = fx.bundle("pivot");
  b.script(escape_check() + "cat " + fx.host_marker().string() + " 2>/dev/null; " +
           print_section("mounts", "cat /proc/self/mountinfo"));
  b.save();
  auto r = fx.agentrt()({"run", "-b", b.dir(), b.id()});
  INFO(r.all());
  REQUIRE(r.code == 0);
  CHECK(value_of(r.out, "ROOTFS") == kRootfsMarkerText);
  CHECK(value_of(r.out, "TOP") == "ROOTFS_MARKER bin ctl dev etc mnt proc sys tmp");
  CHECK_FALSE(contains(r.out, kHostMarkerText));
  auto mounts = parse_mountinfo(section(r.out, "mounts"));
  // No host mount (the host's / or anything under it, such as the source tree) is visible.
  for (const auto& m : mounts) {
    INFO(m.mountpoint);
    CHECK(m.mountpoint.rfind(AGENTRT_SOURCE_DIR, 0) != 0);
    CHECK(m.mountpoint.rfind("/run/agentrt-tests", 0) != 0);
  }
  REQUIRE(mount_at(mounts, "/"));
}

TEST_CASE("--no-pivot also confines the container to its rootfs", "[rootfs]") {
  Fixture fx;
  auto rt = fx.agentrt();
  auto& b = fx.bundle("nopivot");
  b.script(escape_check() + "cat " + fx.host_marker().string() + " 2>/dev/null; echo END=1");
  b.save();
  auto out = b.dir() / "out";
  auto c = rt.to_files({"create", "--no-pivot", "-b", b.dir(), b.id()}, out);
  INFO(c.all());
  REQUIRE(c.code == 0);
  REQUIRE(rt({"start", b.id()}).code == 0);
  REQUIRE(rt.wait_status(b.id(), "stopped"));
  auto printed = read_text(out);
  INFO(printed);
  CHECK(value_of(printed, "ROOTFS") == kRootfsMarkerText);
  CHECK(value_of(printed, "TOP") == "ROOTFS_MARKER bin ctl dev etc mnt proc sys tmp");
  CHECK_FALSE(contains(printed, kHostMarkerText));
  CHECK(value_of(printed, "END") == "1");
}

TEST_CASE("a read-only root refuses writes with EROFS", "[rootfs]") {
  Fixture fx;
  auto& b = fx.bundle("roroot");
  b.config()["root"]["readonly"] = true;
  b.script(
      "touch /newfile 2>&1; echo RC=$?; touch /tmp/x 2>&1; echo TMPRC=$?; touch /dev/shm/x; echo SHMRC=$?");
  b.save();
  auto r = fx.agentrt()({"run", "-b", b.dir(), b.id()});
  INFO(r.all());
  REQUIRE(r.code == 0);
  CHECK(value_of(r.out, "RC") != "0");
  CHECK(contains(r.out, "Read-only file system"));
  CHECK(value_of(r.out, "TMPRC") != "0");
  CHECK(value_of(r.out, "SHMRC") == "0");  // a tmpfs mount on top stays writable
  CHECK_FALSE(stdfs::exists(b.rootfs() / "newfile"));
}

TEST_CASE("mounts with options: tmpfs size/mode, bind ro/rw, nosuid/nodev/noexec", "[rootfs]") {
  Fixture fx;
  auto& b = fx.bundle("mounts");
  auto ro_src = b.dir() / "ro-src", rw_src = b.dir() / "rw-src";
  stdfs::create_directories(ro_src);
  stdfs::create_directories(rw_src);
  write_text(ro_src / "file", "from-host\n");
  auto& m = b.config()["mounts"];
  m.push_back(mount_entry("/mnt/tmp", "tmpfs", "tmpfs", {"size=1m", "mode=1750"}));
  m.push_back(mount_entry("/mnt/ro", "bind", ro_src.string(), {"bind", "ro"}));
  m.push_back(mount_entry("/mnt/rw", "bind", rw_src.string(), {"rbind", "rw"}));
  m.push_back(mount_entry("/mnt/flags", "tmpfs", "tmpfs", {"nosuid", "nodev", "noexec"}));
  b.script(
      "echo MODE=$(stat -c %a /mnt/tmp); echo RO_READ=$(cat /mnt/ro/file); "
      "touch /mnt/ro/new 2>/dev/null; echo RO_WRITE=$?; echo written > /mnt/rw/out; echo RW_WRITE=$?; "
      "cp /bin/busybox /mnt/flags/bb; /mnt/flags/bb true 2>/dev/null; echo EXEC=$?; " +
      print_section("mounts", "cat /proc/self/mountinfo"));
  b.save();
  auto r = fx.agentrt()({"run", "-b", b.dir(), b.id()});
  INFO(r.all());
  REQUIRE(r.code == 0);
  CHECK(value_of(r.out, "MODE") == "1750");
  CHECK(value_of(r.out, "RO_READ") == "from-host");
  CHECK(value_of(r.out, "RO_WRITE") != "0");
  CHECK(value_of(r.out, "RW_WRITE") == "0");
  CHECK(read_text(rw_src / "out") == "written\n");
  CHECK(value_of(r.out, "EXEC") != "0");
  auto mounts = parse_mountinfo(section(r.out, "mounts"));
  auto tmp = mount_at(mounts, "/mnt/tmp");
  REQUIRE(tmp);
  CHECK(tmp->fstype == "tmpfs");
  CHECK(has_option(tmp->super_options, "size=1024k"));
  CHECK(has_option(tmp->super_options, "mode=1750"));
  auto ro = mount_at(mounts, "/mnt/ro");
  REQUIRE(ro);
  CHECK(has_option(ro->options, "ro"));
  auto rw = mount_at(mounts, "/mnt/rw");
  REQUIRE(rw);
  CHECK(has_option(rw->options, "rw"));
  auto flags = mount_at(mounts, "/mnt/flags");
  REQUIRE(flags);
  for (auto opt : {"nosuid", "nodev", "noexec"}) {
    INFO(opt);
    CHECK(has_option(flags->options, opt));
  }
}

TEST_CASE("/dev holds the default devices and symlinks", "[rootfs]") {
  Fixture fx;
  auto& b = fx.bundle("devs");
  b.script(
      "for d in null zero full random urandom tty; do echo DEV_$d=$(stat -c '%F %t:%T %a' /dev/$d); done; "
      "for l in fd stdin stdout stderr ptmx; do echo LINK_$l=$(readlink /dev/$l); done; "
      "echo NULLW=$(echo x > /dev/null && echo ok); echo ZERO=$(head -c 4 /dev/zero | wc -c)");
  b.save();
  auto r = fx.agentrt()({"run", "-b", b.dir(), b.id()});
  INFO(r.all());
  REQUIRE(r.code == 0);
  CHECK(value_of(r.out, "DEV_null") == "character special file 1:3 666");
  CHECK(value_of(r.out, "DEV_zero") == "character special file 1:5 666");
  CHECK(value_of(r.out, "DEV_full") == "character special file 1:7 666");
  CHECK(value_of(r.out, "DEV_random") == "character special file 1:8 666");
  CHECK(value_of(r.out, "DEV_urandom") == "character special file 1:9 666");
  CHECK(value_of(r.out, "DEV_tty") == "character special file 5:0 666");
  CHECK(value_of(r.out, "LINK_fd") == "/proc/self/fd");
  CHECK(value_of(r.out, "LINK_stdin") == "/proc/self/fd/0");
  CHECK(value_of(r.out, "LINK_stdout") == "/proc/self/fd/1");
  CHECK(value_of(r.out, "LINK_stderr") == "/proc/self/fd/2");
  CHECK(value_of(r.out, "LINK_ptmx") == "pts/ptmx");
  CHECK(value_of(r.out, "NULLW") == "ok");
  CHECK(value_of(r.out, "ZERO") == "4");
}

TEST_CASE("linux.devices creates a node with the given type, numbers, mode and owner", "[rootfs]") {
  Fixture fx;
  auto& b = fx.bundle("lxdev");
  // Mode 0606: the container's root has no CAP_DAC_OVERRIDE, so it writes through the "other" bits.
  b.config()["linux"]["devices"] = {{{"path", "/dev/agentnull"},
                                     {"type", "c"},
                                     {"major", 1},
                                     {"minor", 3},
                                     {"fileMode", 0606},
                                     {"uid", 1234},
                                     {"gid", 4321}}};
  b.config()["linux"]["resources"]["devices"].push_back(
      {{"allow", true}, {"type", "c"}, {"major", 1}, {"minor", 3}, {"access", "rwm"}});
  b.script(
      "echo NODE=$(stat -c '%F %t:%T %a %u %g' /dev/agentnull); echo W=$(echo x > /dev/agentnull && echo "
      "ok)");
  b.save();
  auto r = fx.agentrt()({"run", "-b", b.dir(), b.id()});
  INFO(r.all());
  REQUIRE(r.code == 0);
  CHECK(value_of(r.out, "NODE") == "character special file 1:3 606 1234 4321");
  CHECK(value_of(r.out, "W") == "ok");
}

TEST_CASE("maskedPaths hide files and directories, readonlyPaths refuse writes", "[rootfs]") {
  Fixture fx;
  auto& b = fx.bundle("masked");
  b.write_rootfs_file("/mnt/secret/key", "top-secret\n");
  b.config()["linux"]["maskedPaths"].push_back("/mnt/secret");
  // This kernel has no /proc/kcore; /proc/timer_list is non-empty on the host.
  REQUIRE(read_text("/proc/timer_list").size() > 0);
  b.script(
      "echo TIMERS=$(wc -c < /proc/timer_list); echo SECRET=$(ls -A /mnt/secret | wc -l); "
      "echo KEY=$(cat /mnt/secret/key 2>/dev/null); echo FW=$(ls -A /sys/firmware | wc -l); "
      "echo 1 > /proc/sys/kernel/domainname 2>/dev/null; echo SYSW=$?");
  b.save();
  auto r = fx.agentrt()({"run", "-b", b.dir(), b.id()});
  INFO(r.all());
  REQUIRE(r.code == 0);
  CHECK(value_of(r.out, "TIMERS") == "0");
  CHECK(value_of(r.out, "SECRET") == "0");
  CHECK(value_of(r.out, "KEY") == "");
  CHECK(value_of(r.out, "FW") == "0");
  CHECK(value_of(r.out, "SYSW") != "0");
  CHECK(read_text(b.rootfs() / "mnt/secret/key") == "top-secret\n");
}

TEST_CASE("sysctl sets net.ipv4.ip_forward in the container's network namespace", "[rootfs]") {
  Fixture fx;
  auto& b = fx.bundle("sysctl");
  auto host_before = read_text("/proc/sys/net/ipv4/ip_forward");
  b.config()["linux"]["sysctl"] = {{"net.ipv4.ip_forward", "1"}};
  b.script("echo FWD=$(cat /proc/sys/net/ipv4/ip_forward)");
  b.save();
  auto r = fx.agentrt()({"run", "-b", b.dir(), b.id()});
  INFO(r.all());
  REQUIRE(r.code == 0);
  CHECK(value_of(r.out, "FWD") == "1");
  CHECK(read_text("/proc/sys/net/ipv4/ip_forward") == host_before);
}

TEST_CASE("rootfsPropagation sets the propagation of the container's root mount", "[rootfs]") {
  Fixture fx;
  for (std::string prop : {"shared", "private"}) {
    auto& b = fx.bundle("prop");
    b.config()["linux"]["rootfsPropagation"] = prop;
    b.script(print_section("mounts", "cat /proc/self/mountinfo"));
    b.save();
    auto r = fx.agentrt()({"run", "-b", b.dir(), b.id()});
    INFO(prop << "\n" << r.all());
    REQUIRE(r.code == 0);
    auto root = mount_at(parse_mountinfo(section(r.out, "mounts")), "/");
    REQUIRE(root);
    INFO("optional fields: " << root->optional_fields);
    CHECK(contains(root->optional_fields, "shared:") == (prop == "shared"));
  }
}
