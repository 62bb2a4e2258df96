#include "runtime/mount_plan.hpp"

#include <sys/mount.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>

#include "oci/support/error.hpp"
#include "unit/oci/helpers.hpp"

using namespace agentrt;
using namespace agentrt::runtime;
using Op = MountStep::Op;
using oci::test::mnt;

TEST_CASE("a proc mount is one mount(2) call on a created directory") {
  auto steps = plan_mount(mnt("/proc", "proc", "proc", {"nosuid", "noexec", "nodev"}), {});
  REQUIRE(steps.size() == 1);
  const auto& s = steps[0];
  CHECK(s.op == Op::mount);
  CHECK(s.source == "proc");
  CHECK(s.destination == "/proc");
  CHECK(s.fstype == "proc");
  CHECK(s.flags == (MS_NOSUID | MS_NOEXEC | MS_NODEV));
  CHECK(s.data.empty());
  CHECK(s.create == CreateKind::dir);
  CHECK(describe(s) == "mount proc to /proc");
}

TEST_CASE("tmpfs data is passed through and keeps an existing directory's mode") {
  auto steps =
      plan_mount(mnt("/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"}), {});
  REQUIRE(steps.size() == 1);
  CHECK(steps[0].flags == (MS_NOSUID | MS_STRICTATIME));
  CHECK(steps[0].data == "mode=755,size=65536k");
  CHECK(steps[0].keep_dir_mode);
  CHECK_FALSE(steps[0].copy_up);
  CHECK(plan_mount(mnt("/run", "tmpfs", "tmpfs", {"tmpcopyup"}), {})[0].copy_up);
}

TEST_CASE("a read-only /dev is mounted writable first (finalize makes it read-only)") {
  auto steps = plan_mount(mnt("/dev", "tmpfs", "tmpfs", {"ro", "nosuid"}), {});
  CHECK(steps[0].flags == MS_NOSUID);
  auto other = plan_mount(mnt("/data", "tmpfs", "tmpfs", {"ro"}), {});
  CHECK(other[0].flags == MS_RDONLY);
}

TEST_CASE("a read-only bind needs a second remount call that keeps nosuid/nodev/noexec") {
  auto steps =
      plan_mount(mnt("/data", "bind", "/srv/data", {"rbind", "ro", "nosuid", "nodev", "noexec"}), {});
  REQUIRE(steps.size() == 2);
  CHECK(steps[0].op == Op::mount);
  CHECK(steps[0].source == "/srv/data");
  CHECK(steps[0].flags == (MS_BIND | MS_REC));
  CHECK(steps[0].create == CreateKind::like_source);
  CHECK(steps[1].op == Op::remount);
  CHECK(steps[1].destination == "/data");
  CHECK(steps[1].flags == (MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC));
  CHECK(describe(steps[1]) == "remount /data (ro,nosuid,nodev,noexec)");
}

TEST_CASE("a plain bind is one call; type bind alone implies MS_BIND") {
  auto steps = plan_mount(mnt("/etc/resolv.conf", "bind", "/run/resolv.conf", {"rbind"}), {});
  REQUIRE(steps.size() == 1);
  CHECK(steps[0].flags == (MS_BIND | MS_REC));
  auto typed = plan_mount(mnt("/x", "bind", "/y", {}), {});
  REQUIRE(typed.size() == 1);
  CHECK(typed[0].flags == MS_BIND);
  CHECK(typed[0].fstype.empty());
  auto by_option = plan_mount(mnt("/x", "none", "/y", {"bind"}), {});
  CHECK(by_option[0].flags == MS_BIND);
  CHECK(by_option[0].create == CreateKind::like_source);
}

TEST_CASE("propagation comes after the mount and its remount") {
  auto steps = plan_mount(mnt("/shared", "bind", "/srv", {"rbind", "ro", "rshared", "unbindable"}), {});
  REQUIRE(steps.size() == 4);
  CHECK(steps[1].op == Op::remount);
  CHECK(steps[2].op == Op::propagate);
  CHECK(steps[2].flags == (MS_SHARED | MS_REC));
  CHECK(steps[3].op == Op::propagate);
  CHECK(steps[3].flags == MS_UNBINDABLE);
  CHECK(describe(steps[2]) == "make /shared rshared");
}

TEST_CASE("recursive attributes become a setattr step") {
  auto steps = plan_mount(mnt("/data", "bind", "/srv", {"rbind", "rro"}), {});
  REQUIRE(steps.size() == 2);
  CHECK(steps[1].op == Op::setattr);
  CHECK(steps[1].attr_set == MOUNT_ATTR_RDONLY);
}

TEST_CASE("destinations are cleaned lexically") {
  auto steps = plan_mount(mnt("//dev/./shm/", "tmpfs", "shm", {}), {});
  CHECK(steps[0].destination == "/dev/shm");
  CHECK(plan_mount(mnt("sys", "sysfs", "sysfs", {}), {})[0].destination == "/sys");
}

TEST_CASE("refused mounts name their index") {
  std::vector<oci::Mount> mounts = {mnt("/proc", "proc", "proc", {}), mnt("/", "tmpfs", "tmpfs", {})};
  CHECK_THROWS_WITH(plan_mounts(mounts, {}),
                    "mounts[1]: mount tmpfs to /: the rootfs itself cannot be a mount destination");
  auto idmapped = mnt("/data", "bind", "/srv", {"bind"});
  idmapped.uid_mappings.push_back({0, 1000, 1});
  CHECK_THROWS_WITH(plan_mounts({idmapped}, {}), "mounts[0]: mount /data: idmapped mounts are not supported");
}

TEST_CASE("plan_mounts keeps spec order") {
  std::vector<oci::Mount> mounts = {mnt("/proc", "proc", "proc", {}), mnt("/dev", "tmpfs", "tmpfs", {}),
                                    mnt("/dev/pts", "devpts", "devpts", {"newinstance", "ptmxmode=0666"})};
  auto steps = plan_mounts(mounts, {});
  REQUIRE(steps.size() == 3);
  CHECK(steps[0].destination == "/proc");
  CHECK(steps[1].destination == "/dev");
  CHECK(steps[2].destination == "/dev/pts");
  CHECK(steps[2].data == "newinstance,ptmxmode=0666");
}

TEST_CASE("cgroup mount on cgroup v2 with a cgroup namespace mounts cgroup2 with a bind fallback") {
  CgroupFacts v2;
  v2.unified = true;
  v2.cgroup_ns = true;
  auto steps = plan_mount(mnt("/sys/fs/cgroup", "cgroup", "cgroup", {"nosuid", "noexec", "nodev", "ro"}), v2);
  REQUIRE(steps.size() == 1);
  CHECK(steps[0].fstype == "cgroup2");
  CHECK(steps[0].source == "cgroup");
  CHECK(steps[0].flags == (MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY));
  CHECK(steps[0].fallback_bind == "/sys/fs/cgroup");
}

TEST_CASE("cgroup mount on cgroup v2 without a cgroup namespace binds the host's hierarchy read-only") {
  CgroupFacts v2;
  v2.unified = true;
  auto steps = plan_mount(mnt("/sys/fs/cgroup", "cgroup", "cgroup", {"nosuid", "noexec", "nodev", "ro"}), v2);
  REQUIRE(steps.size() == 2);
  CHECK(steps[0].source == "/sys/fs/cgroup");
  CHECK(steps[0].flags == (MS_BIND | MS_REC));
  CHECK(steps[0].create == CreateKind::dir);
  CHECK(steps[1].op == Op::remount);
  CHECK(steps[1].flags == (MS_BIND | MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY));
}

TEST_CASE("cgroup mount on v1/hybrid: tmpfs, a bind per hierarchy, symlinks for merged ones, ro remount") {
  CgroupFacts v1;
  v1.v1 = {{"/sys/fs/cgroup/memory", "/", "memory", "/ctr"},
           {"/sys/fs/cgroup/cpu,cpuacct", "/", "cpu,cpuacct", "/ctr"},
           {"/sys/fs/cgroup/pids", "/outer", "pids", "/outer/ctr"}};
  auto steps = plan_mount(mnt("/sys/fs/cgroup", "cgroup", "cgroup", {"nosuid", "noexec", "nodev", "ro"}), v1);
  REQUIRE(steps.size() == 10);
  CHECK(steps[0].fstype == "tmpfs");
  CHECK(steps[0].data == "mode=755");
  CHECK(steps[0].flags == (MS_NOSUID | MS_NODEV | MS_NOEXEC));
  CHECK(steps[1].source == "/sys/fs/cgroup/memory/ctr");
  CHECK(steps[1].destination == "/sys/fs/cgroup/memory");
  CHECK(steps[1].flags == (MS_BIND | MS_REC));
  CHECK(steps[2].op == Op::remount);
  CHECK(steps[2].flags == (MS_BIND | MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY));
  CHECK(steps[3].source == "/sys/fs/cgroup/cpu,cpuacct/ctr");
  CHECK(steps[3].destination == "/sys/fs/cgroup/cpu,cpuacct");
  CHECK(steps[5].source == "/sys/fs/cgroup/pids/ctr");  // relative to the mount's root
  CHECK(steps[7].op == Op::symlink);
  CHECK(steps[7].destination == "/sys/fs/cgroup/cpu");
  CHECK(steps[7].source == "cpu,cpuacct");
  CHECK(steps[8].destination == "/sys/fs/cgroup/cpuacct");
  CHECK(steps[9].op == Op::remount);
  CHECK(steps[9].destination == "/sys/fs/cgroup");
  CHECK(steps[9].flags == (MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC));
}

TEST_CASE("cgroup v1 with a cgroup namespace mounts each hierarchy afresh") {
  CgroupFacts v1;
  v1.cgroup_ns = true;
  v1.v1 = {{"/sys/fs/cgroup/systemd", "/", "xattr,name=systemd", "/"}};
  auto steps = plan_mount(mnt("/sys/fs/cgroup", "cgroup", "cgroup", {"ro"}), v1);
  REQUIRE(steps.size() == 4);
  CHECK(steps[1].fstype == "cgroup");
  CHECK(steps[1].data == "xattr,name=systemd");
  CHECK(steps[1].destination == "/sys/fs/cgroup/systemd");
  CHECK(steps[2].op == Op::remount);
  CHECK((steps[2].flags & MS_RDONLY));
}

TEST_CASE("parse_mountinfo decodes fields, optional fields and escapes") {
  const std::string text =
      "27 1 254:0 / / rw,relatime shared:1 master:2 - ext4 /dev/vda rw,discard\n"
      "40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd\n"
      "50 27 0:50 /sub /mnt/with\\040space ro - tmpfs my\\011src rw,size=4k\n";
  auto m = parse_mountinfo(text);
  REQUIRE(m.size() == 3);
  CHECK(m[0].id == 27);
  CHECK(m[0].parent == 1);
  CHECK(m[0].major_minor == "254:0");
  CHECK(m[0].optional_fields == "shared:1 master:2");
  CHECK(m[0].fstype == "ext4");
  CHECK(m[0].source == "/dev/vda");
  CHECK(m[0].super_options == "rw,discard");
  CHECK(m[1].optional_fields.empty());
  CHECK(m[2].root == "/sub");
  CHECK(m[2].mountpoint == "/mnt/with space");
  CHECK(m[2].source == "my\tsrc");
  CHECK(m[2].mount_options == "ro");
  CHECK_THROWS(parse_mountinfo("1 2 3\n"));
}

TEST_CASE("cgroup v1 hierarchies are matched to /proc/self/cgroup") {
  const std::string mountinfo =
      "31 23 0:28 / /sys/fs/cgroup rw - tmpfs tmpfs rw,mode=755\n"
      "32 31 0:29 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n"
      "35 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
      "40 31 0:37 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,xattr,release_agent=/x,name=systemd\n"
      "41 31 0:38 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n"
      "42 27 0:32 /a /mnt/memory-again rw - cgroup cgroup rw,memory\n";
  auto own = parse_proc_cgroup("5:memory:/a/b\n3:cpu:/c\n1:name=systemd:/s\n0::/u\n");
  CHECK(own.at("memory") == "/a/b");
  CHECK(own.at("") == "/u");
  auto h = cgroup_v1_hierarchies(parse_mountinfo(mountinfo), own);
  REQUIRE(h.size() == 3);
  CHECK(h[0].mountpoint == "/sys/fs/cgroup/cpu");
  CHECK(h[0].own_path == "/c");
  CHECK(h[0].options == "cpu");
  CHECK(h[1].mountpoint == "/sys/fs/cgroup/memory");
  CHECK(h[1].own_path == "/a/b");
  CHECK(h[2].options == "xattr,name=systemd");
  CHECK(h[2].own_path == "/s");
}

TEST_CASE("mounts inside /proc are refused except the lxcfs files") {
  CHECK(check_proc_destination("/proc", true).empty());
  CHECK(check_proc_destination("/proc", false) ==
        "\"/proc\" cannot be mounted because it is not of type proc");
  CHECK(check_proc_destination("/proc/meminfo", false).empty());
  CHECK(check_proc_destination("/proc/sys/kernel/ns_last_pid", false).empty());
  CHECK(check_proc_destination("/proc/sys", false) ==
        "\"/proc/sys\" cannot be mounted because it is inside /proc");
  CHECK(check_proc_destination("/procfoo", false).empty());
  CHECK(check_proc_destination("/etc", false).empty());
}

TEST_CASE("flags_to_string") {
  CHECK(flags_to_string(0) == "defaults");
  CHECK(flags_to_string(MS_RDONLY | MS_NOEXEC) == "ro,noexec");
}

TEST_CASE("procfs and sysfs mounts outside the rootfs are the ones no_pivot detaches") {
  const std::string text =
      "22 27 0:21 / /proc rw - proc proc rw\n"
      "23 27 0:22 / /sys rw - sysfs sysfs rw\n"
      "31 23 0:28 / /sys/fs/cgroup rw - tmpfs tmpfs rw\n"
      "60 27 0:50 / /run/c/rootfs2/proc rw - proc proc rw\n"
      "61 27 0:51 / /run/c/rootfs/proc rw - proc proc rw\n"
      "62 27 0:52 / /run/c/rootfs/sys rw - sysfs sysfs rw\n";
  CHECK(proc_sys_mounts_outside(parse_mountinfo(text), "/run/c/rootfs") ==
        std::vector<std::string>{"/proc", "/sys", "/run/c/rootfs2/proc"});
}

TEST_CASE("proc and sysfs go only on an ordinary directory or a missing path", "[plan]") {
  CHECK(check_special_fs_target("proc", "/proc", 0).empty());
  CHECK(check_special_fs_target("proc", "/proc", S_IFDIR | 0555).empty());
  CHECK(check_special_fs_target("sysfs", "/sys", S_IFLNK | 0777) ==
        "destination /sys: filesystem \"sysfs\" must be mounted on an ordinary directory (/sys in the rootfs "
        "is "
        "a symlink)");
  CHECK(
      check_special_fs_target("proc", "/proc", S_IFLNK | 0777) ==
      "destination /proc: filesystem \"proc\" must be mounted on an ordinary directory (/proc in the rootfs "
      "is a symlink)");
  CHECK(
      check_special_fs_target("proc", "/proc", S_IFREG | 0644) ==
      "destination /proc: filesystem \"proc\" must be mounted on an ordinary directory (/proc in the rootfs "
      "is not a directory)");
  // Other filesystems follow the usual rules (a symlinked destination is resolved inside the rootfs).
  CHECK(check_special_fs_target("tmpfs", "/tmp", S_IFLNK | 0777).empty());
  CHECK(check_special_fs_target("bind", "/data", S_IFREG | 0644).empty());
}
