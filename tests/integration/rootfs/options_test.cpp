// Pivot variants, propagation, errors and tmpcopyup.
#include <sys/mount.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "harness.hpp"

namespace stdfs = std::filesystem;
using namespace agentrt;
using namespace rootfs_test;

TEST_CASE("no_pivot: MS_MOVE + chroot into the rootfs") {
  if (geteuid() != 0) FAIL("needs root");
  BusyboxRootfs fs;
  oci::Spec spec = default_spec();
  runtime::RootfsOptions opts;
  opts.no_pivot = true;
  auto r = run_in_container(spec, fs.rootfs().string(), opts,
                            std::string(kPrintMounts) +
                                "cat /etc/marker; ls " AGENTRT_SOURCE_DIR
                                " >/dev/null 2>&1 && echo host-visible || echo host-hidden");
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK(r.output.find("agentrt-rootfs-marker") != std::string::npos);
  CHECK(r.output.find("host-hidden") != std::string::npos);
  auto proc = find_mount(container_mounts(r.output), "/proc");
  REQUIRE(proc);
  CHECK(proc->fstype == "proc");
}

TEST_CASE("no_pivot: the host's procfs is not left fully visible to a nested user namespace") {
  if (geteuid() != 0) FAIL("needs root");
  for (bool no_pivot : {true, false}) {
    INFO("no_pivot = " << no_pivot);
    BusyboxRootfs fs;
    oci::Spec spec = default_spec();
    spec.linux->masked_paths = {"/proc/keys", "/proc/acpi"};
    runtime::RootfsOptions opts;
    opts.no_pivot = no_pivot;
    // With masked paths the container's own /proc is not fully visible, so only a leftover host procfs would
    // let the kernel allow a fresh procfs mount in a nested user namespace.
    auto r = run_in_container(
        spec, fs.rootfs().string(), opts,
        "mkdir -p /tmp/p; unshare -U -r -m -p -f sh -c "
        "'mount -t proc proc /tmp/p 2>&1 && echo nested-proc-mounted || echo nested-proc-refused'");
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    CHECK(r.output.find("nested-proc-refused") != std::string::npos);
    CHECK(r.output.find("nested-proc-mounted") == std::string::npos);
  }
}

TEST_CASE("no_pivot refuses a private rootfs propagation, as runc does") {
  if (geteuid() != 0) FAIL("needs root");
  BusyboxRootfs fs;
  oci::Spec spec = default_spec();
  spec.linux->rootfs_propagation = "rprivate";
  runtime::RootfsOptions opts;
  opts.no_pivot = true;
  auto r = run_in_container(spec, fs.rootfs().string(), opts, "true");
  CHECK(r.exit_code == 111);
  CHECK(r.output.find("rootfsPropagation of [r]private is not safe without pivot_root") != std::string::npos);
}

TEST_CASE("rootfsPropagation shared makes the container's / shared after pivot_root") {
  if (geteuid() != 0) FAIL("needs root");
  BusyboxRootfs fs;
  oci::Spec spec = default_spec();
  spec.linux->rootfs_propagation = "shared";
  auto r = run_in_container(spec, fs.rootfs().string(), {}, kPrintMounts);
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  auto root = find_mount(container_mounts(r.output), "/");
  REQUIRE(root);
  CHECK(root->optional_fields.find("shared:") != std::string::npos);
}

TEST_CASE("default propagation: the container's / is not shared") {
  if (geteuid() != 0) FAIL("needs root");
  BusyboxRootfs fs;
  auto r = run_in_container(default_spec(), fs.rootfs().string(), {}, kPrintMounts);
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  auto root = find_mount(container_mounts(r.output), "/");
  REQUIRE(root);
  CHECK(root->optional_fields.find("shared:") == std::string::npos);
}

TEST_CASE("mount propagation options apply to the mount") {
  if (geteuid() != 0) FAIL("needs root");
  BusyboxRootfs fs;
  oci::Spec spec = default_spec();
  spec.mounts.push_back(make_mount("/shared", "tmpfs", "tmpfs", {"rshared"}));
  spec.mounts.push_back(make_mount("/unbindable", "tmpfs", "tmpfs", {"unbindable"}));
  auto r = run_in_container(spec, fs.rootfs().string(), {}, kPrintMounts);
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  auto mounts = container_mounts(r.output);
  REQUIRE(find_mount(mounts, "/shared"));
  CHECK(find_mount(mounts, "/shared")->optional_fields.find("shared:") != std::string::npos);
  REQUIRE(find_mount(mounts, "/unbindable"));
  CHECK(find_mount(mounts, "/unbindable")->optional_fields.find("unbindable") != std::string::npos);
}

TEST_CASE("a failing mount names the mount, the rootfs and the errno") {
  if (geteuid() != 0) FAIL("needs root");
  BusyboxRootfs fs;
  oci::Spec spec = default_spec();
  spec.mounts.push_back(make_mount("/x", "agentrt-nosuchfs", "none", {}));
  auto r = run_in_container(spec, fs.rootfs().string(), {}, "true");
  CHECK(r.exit_code == 111);
  CHECK(r.output ==
        "setup error: mount none to /x (in rootfs " + fs.rootfs().string() + "): No such device\n");
}

TEST_CASE("a missing bind source is an error naming it") {
  if (geteuid() != 0) FAIL("needs root");
  BusyboxRootfs fs;
  oci::Spec spec = default_spec();
  spec.mounts.push_back(make_mount("/x", "bind", "/nonexistent-agentrt-src", {"bind"}));
  auto r = run_in_container(spec, fs.rootfs().string(), {}, "true");
  CHECK(r.exit_code == 111);
  CHECK(r.output == "setup error: mount /nonexistent-agentrt-src to /x (in rootfs " + fs.rootfs().string() +
                        "): stat /nonexistent-agentrt-src: No such file or directory\n");
}

TEST_CASE("tmpcopyup copies the directory's content into the new tmpfs") {
  if (geteuid() != 0) FAIL("needs root");
  BusyboxRootfs fs;
  fs.write("/opt/data/file.txt", "from the image\n");
  stdfs::create_directories(fs.rootfs() / "opt/data/sub");
  stdfs::create_symlink("file.txt", fs.rootfs() / "opt/data/link");
  oci::Spec spec = default_spec();
  spec.root.readonly = true;
  spec.mounts.push_back(make_mount("/opt/data", "tmpfs", "tmpfs", {"tmpcopyup"}));
  auto r = run_in_container(spec, fs.rootfs().string(), {},
                            std::string(kPrintMounts) +
                                "cat /opt/data/link; test -d /opt/data/sub && echo sub-ok; "
                                "echo new > /opt/data/new && echo write-ok");
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  REQUIRE(find_mount(container_mounts(r.output), "/opt/data"));
  CHECK(find_mount(container_mounts(r.output), "/opt/data")->fstype == "tmpfs");
  CHECK(r.output.find("from the image") != std::string::npos);
  CHECK(r.output.find("sub-ok") != std::string::npos);
  CHECK(r.output.find("write-ok") != std::string::npos);
  CHECK_FALSE(stdfs::exists(fs.rootfs() / "opt/data/new"));
}

TEST_CASE("tmpfs over an existing directory keeps its mode") {
  if (geteuid() != 0) FAIL("needs root");
  BusyboxRootfs fs;
  stdfs::create_directories(fs.rootfs() / "srv");
  stdfs::permissions(fs.rootfs() / "srv", stdfs::perms(0710));
  oci::Spec spec = default_spec();
  spec.mounts.push_back(make_mount("/srv", "tmpfs", "tmpfs", {}));
  spec.mounts.push_back(make_mount("/fresh", "tmpfs", "tmpfs", {}));
  auto r = run_in_container(spec, fs.rootfs().string(), {}, "stat -c '%n %a' /srv /fresh");
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK(r.output.find("/srv 710") != std::string::npos);
  CHECK(r.output.find("/fresh 1777") != std::string::npos);
}
