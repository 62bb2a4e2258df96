// prepare_rootfs + finalize_rootfs on a busybox rootfs, as root, observed from inside the container.
#include <sys/mount.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <set>

#include "harness.hpp"
#include "integration_support/cgroup_files.hpp"
#include "oci/support/fs.hpp"

namespace stdfs = std::filesystem;
using namespace agentrt;
using namespace rootfs_test;
using Catch::Contains;

namespace {

std::set<std::string> mountpoints(const std::vector<runtime::MountInfo>& mounts) {
  std::set<std::string> out;
  for (const auto& m : mounts) out.insert(m.mountpoint);
  return out;
}

bool has_option(const std::string& options, const std::string& opt) {
  return ("," + options + ",").find("," + opt + ",") != std::string::npos;
}

}  // namespace

TEST_CASE("full container rootfs: mounts, devices, readonly and masked paths, pivot") {
  if (geteuid() != 0) FAIL("needs root");
  BusyboxRootfs fs;
  stdfs::path data = fs.dir() / "data";
  stdfs::create_directories(data);
  std::ofstream(data / "hello.txt") << "hello from the host\n";

  oci::Spec spec = default_spec();
  spec.root.readonly = true;
  spec.mounts.push_back(make_mount("/data", "bind", data.string(), {"rbind", "ro", "nosuid", "nodev"}));
  spec.mounts.push_back(
      make_mount("/sys/fs/cgroup", "cgroup", "cgroup", {"nosuid", "noexec", "nodev", "ro"}));
  spec.linux->readonly_paths = {"/proc/sys", "/proc/does-not-exist"};
  spec.linux->masked_paths = {"/proc/keys", "/proc/acpi", "/sys/firmware", "/proc/kcore-missing"};
  oci::Device custom;
  custom.path = "/dev/custom-full";
  custom.type = 'c';
  custom.major = 1;
  custom.minor = 7;
  custom.file_mode = 0640;
  custom.uid = 1000;
  custom.gid = 1001;
  spec.linux->devices = {custom};

  const std::string script =
      std::string(kPrintMounts) +
      "cat /etc/marker; "
      // The source tree is a host directory that exists wherever the test runs.
      "ls " AGENTRT_SOURCE_DIR
      " >/dev/null 2>&1 && echo host-visible || echo host-hidden; "
      "touch /newfile 2>&1; "
      "touch /data/newfile 2>&1; cat /data/hello.txt; "
      "echo agentrt > /proc/sys/kernel/domainname 2>&1; "
      "echo keys=$(cat /proc/keys | wc -c); "
      "echo acpi=$(ls -A /proc/acpi | wc -l); touch /proc/acpi/x 2>&1; "
      "echo firmware=$(ls -A /sys/firmware | wc -l); "
      "stat -c 'dev %n %F %t:%T %a %u:%g' /dev/null /dev/zero /dev/full /dev/random "
      "/dev/urandom /dev/tty /dev/custom-full; "
      "echo ptmx=$(readlink /dev/ptmx) fd=$(readlink /dev/fd) stdin=$(readlink /dev/stdin); "
      "echo devnull-write; echo x > /dev/null && echo devnull-ok; "
      "echo tmpwrite > /dev/shm/x && echo shm-ok; stat -c '%n %a' /dev/shm; "
      "f=/sys/fs/cgroup/memory/cgroup.procs; test -e $f || f=/sys/fs/cgroup/cgroup.procs; "
      "cat $f >/dev/null && echo cgroup-readable";
  auto r = run_in_container(spec, fs.rootfs().string(), {}, script);
  INFO(r.output);
  REQUIRE(r.exit_code == 0);

  auto mounts = container_mounts(r.output);
  REQUIRE_FALSE(mounts.empty());

  SECTION("the root is the rootfs and the old root is gone") {
    CHECK(r.output.find("agentrt-rootfs-marker") != std::string::npos);
    CHECK(r.output.find("host-hidden") != std::string::npos);
    auto root = find_mount(mounts, "/");
    REQUIRE(root);
    CHECK(root->root == fs_root_of(fs.rootfs().string()));
    CHECK(has_option(root->mount_options, "ro"));
    int roots = 0;
    for (const auto& m : mounts) roots += m.mountpoint == "/";
    CHECK(roots == 1);
    // Exactly the spec's mounts (plus readonly/masked paths), nothing of the host's mount table.
    std::set<std::string> expected = {"/",           "/proc", "/dev",  "/dev/pts",       "/dev/shm",
                                      "/dev/mqueue", "/sys",  "/data", "/sys/fs/cgroup", "/proc/sys"};
    for (const char* masked : {"/proc/keys", "/proc/acpi", "/sys/firmware"})
      if (stdfs::exists(masked)) expected.insert(masked);
    if (!itest::pure_cgroup_v2())
      for (const auto& h : runtime::cgroup_v1_hierarchies(
               runtime::parse_mountinfo(host_mountinfo()),
               runtime::parse_proc_cgroup(agentrt::fs::read_file("/proc/self/cgroup"))))
        expected.insert(h.mountpoint);
    CHECK(mountpoints(mounts) == expected);
  }

  SECTION("mount options as the spec asked") {
    auto proc = find_mount(mounts, "/proc");
    REQUIRE(proc);
    CHECK(proc->fstype == "proc");
    CHECK(has_option(proc->mount_options, "nosuid"));
    CHECK(has_option(proc->mount_options, "nodev"));
    CHECK(has_option(proc->mount_options, "noexec"));
    auto dev = find_mount(mounts, "/dev");
    REQUIRE(dev);
    CHECK(dev->fstype == "tmpfs");
    CHECK(has_option(dev->super_options, "size=65536k"));
    CHECK(has_option(dev->super_options, "mode=755"));
    auto pts = find_mount(mounts, "/dev/pts");
    REQUIRE(pts);
    CHECK(has_option(pts->super_options, "ptmxmode=666"));
    CHECK(has_option(pts->super_options, "gid=5"));
    auto shm = find_mount(mounts, "/dev/shm");
    REQUIRE(shm);
    CHECK(r.output.find("/dev/shm 1777") != std::string::npos);
    CHECK(has_option(shm->mount_options, "nodev"));
    CHECK(find_mount(mounts, "/dev/mqueue")->fstype == "mqueue");
    auto sys = find_mount(mounts, "/sys");
    REQUIRE(sys);
    CHECK(sys->fstype == "sysfs");
    CHECK(has_option(sys->mount_options, "ro"));
    auto bind = find_mount(mounts, "/data");
    REQUIRE(bind);
    CHECK(has_option(bind->mount_options, "ro"));
    CHECK(has_option(bind->mount_options, "nosuid"));
    CHECK(has_option(bind->mount_options, "nodev"));
    CHECK(bind->root == fs_root_of(data.string()));
    CHECK(r.output.find("hello from the host") != std::string::npos);
    CHECK(r.output.find("touch: /data/newfile: Read-only file system") != std::string::npos);
    CHECK_FALSE(stdfs::exists(data / "newfile"));
  }

  SECTION("cgroup v1: tmpfs with read-only binds of this process's own cgroup dirs") {
    if (itest::pure_cgroup_v2()) return;
    auto cg = find_mount(mounts, "/sys/fs/cgroup");
    REQUIRE(cg);
    CHECK(cg->fstype == "tmpfs");
    CHECK(has_option(cg->mount_options, "ro"));
    auto mem = find_mount(mounts, "/sys/fs/cgroup/memory");
    REQUIRE(mem);
    CHECK(mem->fstype == "cgroup");
    CHECK(has_option(mem->mount_options, "ro"));
    // The bind shows our own memory cgroup, not the hierarchy root.
    auto own = runtime::parse_proc_cgroup(agentrt::fs::read_file("/proc/self/cgroup"));
    CHECK(mem->root == own.at("memory"));
    CHECK(r.output.find("cgroup-readable") != std::string::npos);
  }

  SECTION("cgroup v2 without a cgroup namespace: a read-only bind of the host hierarchy") {
    if (!itest::pure_cgroup_v2()) return;
    auto cg = find_mount(mounts, "/sys/fs/cgroup");
    REQUIRE(cg);
    CHECK(cg->fstype == "cgroup2");
    CHECK(cg->root == "/");
    CHECK(has_option(cg->mount_options, "ro"));
    CHECK(has_option(cg->mount_options, "nosuid"));
    CHECK(r.output.find("cgroup-readable") != std::string::npos);
  }

  SECTION("read-only root, readonly paths and masked paths") {
    CHECK(r.output.find("touch: /newfile: Read-only file system") != std::string::npos);
    CHECK_FALSE(stdfs::exists(fs.rootfs() / "newfile"));
    CHECK(r.output.find("can't create /proc/sys/kernel/domainname: Read-only file system") !=
          std::string::npos);
    CHECK(has_option(find_mount(mounts, "/proc/sys")->mount_options, "ro"));
    CHECK(r.output.find("keys=0") != std::string::npos);
    CHECK(r.output.find("acpi=0") != std::string::npos);
    CHECK(r.output.find("touch: /proc/acpi/x: Read-only file system") != std::string::npos);
    CHECK(r.output.find("firmware=0") != std::string::npos);
    auto keys = find_mount(mounts, "/proc/keys");
    REQUIRE(keys);
    CHECK(keys->fstype == "tmpfs");  // the container's /dev/null, from the /dev tmpfs
  }

  SECTION("devices with the right type, numbers, mode and owner") {
    CHECK(r.output.find("dev /dev/null character special file 1:3 666 0:0") != std::string::npos);
    CHECK(r.output.find("dev /dev/zero character special file 1:5 666 0:0") != std::string::npos);
    CHECK(r.output.find("dev /dev/full character special file 1:7 666 0:0") != std::string::npos);
    CHECK(r.output.find("dev /dev/random character special file 1:8 666 0:0") != std::string::npos);
    CHECK(r.output.find("dev /dev/urandom character special file 1:9 666 0:0") != std::string::npos);
    CHECK(r.output.find("dev /dev/tty character special file 5:0 666 0:0") != std::string::npos);
    CHECK(r.output.find("dev /dev/custom-full character special file 1:7 640 1000:1001") !=
          std::string::npos);
    CHECK(r.output.find("ptmx=pts/ptmx fd=/proc/self/fd stdin=/proc/self/fd/0") != std::string::npos);
    CHECK(r.output.find("devnull-ok") != std::string::npos);
    CHECK(r.output.find("shm-ok") != std::string::npos);
    // Device nodes went into the /dev tmpfs, not into the rootfs on disk.
    CHECK(stdfs::is_empty(fs.rootfs() / "dev"));
  }
}

TEST_CASE("cgroup namespace: the cgroup mount shows the namespace's own cgroup") {
  if (geteuid() != 0) FAIL("needs root");
  BusyboxRootfs fs;
  oci::Spec spec = default_spec();
  spec.linux->namespaces.push_back({oci::NamespaceType::cgroup, ""});
  spec.mounts.push_back(
      make_mount("/sys/fs/cgroup", "cgroup", "cgroup", {"nosuid", "noexec", "nodev", "ro"}));
  auto r =
      run_in_container(spec, fs.rootfs().string(), {}, std::string(kPrintMounts) + "cat /proc/self/cgroup");
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  auto mounts = container_mounts(r.output);
  if (itest::pure_cgroup_v2()) {
    auto cg = find_mount(mounts, "/sys/fs/cgroup");
    REQUIRE(cg);
    CHECK(cg->fstype == "cgroup2");
    CHECK(cg->root == "/");
    CHECK(has_option(cg->mount_options, "ro"));
  } else {
    auto cg = find_mount(mounts, "/sys/fs/cgroup");
    REQUIRE(cg);
    CHECK(cg->fstype == "tmpfs");
    auto mem = find_mount(mounts, "/sys/fs/cgroup/memory");
    REQUIRE(mem);
    CHECK(mem->fstype == "cgroup");
    CHECK(mem->root == "/");  // a fresh mount, rooted at the namespace's cgroup
    CHECK(has_option(mem->mount_options, "ro"));
    CHECK(r.output.find("memory:/\n") != std::string::npos);
  }
}

TEST_CASE("user namespace: host device nodes are bind-mounted, locked flags are kept on remount") {
  if (geteuid() != 0) FAIL("needs root");
  for (bool declared : {true, false}) {
    // declared: the runtime is told about the user namespace; otherwise mknod's EPERM makes it bind.
    INFO("in_user_ns = " << declared);
    BusyboxRootfs fs;
    stdfs::path data = fs.dir() / "data";
    stdfs::create_directories(data);
    std::ofstream(data / "hello.txt") << "hello\n";
    chown_tree(fs.dir(), kUserNsBase, kUserNsBase);

    oci::Spec spec = default_spec();
    spec.root.readonly = true;
    spec.mounts.push_back(make_mount("/data", "bind", data.string(), {"rbind", "ro", "nosuid", "nodev"}));
    spec.mounts.push_back(
        make_mount("/sys/fs/cgroup", "cgroup", "cgroup", {"nosuid", "noexec", "nodev", "ro"}));
    spec.linux->readonly_paths = {"/proc/sys"};
    spec.linux->masked_paths = {"/proc/keys", "/proc/acpi"};
    runtime::RootfsOptions opts;
    opts.in_user_ns = declared;
    auto r =
        run_in_container(spec, fs.rootfs().string(), opts,
                         std::string(kPrintMounts) +
                             "stat -c 'dev %n %t:%T' /dev/null /dev/zero /dev/full /dev/random /dev/urandom "
                             "/dev/tty; echo x > /dev/null && echo devnull-ok; "
                             "touch /newfile 2>&1; touch /data/x 2>&1; cat /data/hello.txt; id -u",
                         true);
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    auto mounts = container_mounts(r.output);
    auto null = find_mount(mounts, "/dev/null");
    REQUIRE(null);
    CHECK(null->fstype == "devtmpfs");  // the host's node, bound
    for (const char* d : {"/dev/null 1:3", "/dev/zero 1:5", "/dev/full 1:7", "/dev/random 1:8",
                          "/dev/urandom 1:9", "/dev/tty 5:0"})
      CHECK(r.output.find(std::string("dev ") + d) != std::string::npos);
    CHECK(r.output.find("devnull-ok") != std::string::npos);
    CHECK(r.output.find("touch: /newfile: Read-only file system") != std::string::npos);
    CHECK(r.output.find("touch: /data/x: Read-only file system") != std::string::npos);
    CHECK(r.output.find("hello") != std::string::npos);
    auto bind = find_mount(mounts, "/data");
    REQUIRE(bind);
    CHECK(has_option(bind->mount_options, "ro"));
    CHECK(has_option(bind->mount_options, "nosuid"));
    CHECK(has_option(find_mount(mounts, "/proc/sys")->mount_options, "ro"));
    CHECK(has_option(find_mount(mounts, "/")->mount_options, "ro"));
  }
}

TEST_CASE("user namespace: a read-only bind of a mount with locked nosuid/nodev/noexec keeps them") {
  if (geteuid() != 0) FAIL("needs root");
  BusyboxRootfs fs;
  stdfs::path locked = fs.dir() / "locked";
  stdfs::create_directories(locked);
  chown_tree(fs.dir(), kUserNsBase, kUserNsBase);
  oci::Spec spec = default_spec();
  // Only "ro": the remount must add the locked flags back or the kernel refuses it.
  spec.mounts.push_back(make_mount("/locked", "bind", locked.string(), {"bind", "ro"}));
  runtime::RootfsOptions opts;
  opts.in_user_ns = true;
  auto r = run_in_container(spec, fs.rootfs().string(), opts,
                            std::string(kPrintMounts) + "touch /locked/x 2>&1", true, locked.string());
  INFO(r.output);
  REQUIRE(r.exit_code != 111);
  auto m = find_mount(container_mounts(r.output), "/locked");
  REQUIRE(m);
  CHECK(m->fstype == "tmpfs");
  for (const char* opt : {"ro", "nosuid", "nodev", "noexec"}) {
    INFO(opt);
    CHECK(has_option(m->mount_options, opt));
  }
  CHECK(r.output.find("touch: /locked/x: Read-only file system") != std::string::npos);
}
