#include "runtime/devices.hpp"

#include <sys/stat.h>

#include <catch2/catch.hpp>

using namespace agentrt;
using namespace agentrt::runtime;

TEST_CASE("default devices are runc's six, root-owned 0666") {
  oci::Spec spec;
  auto d = plan_devices(spec);
  REQUIRE(d.size() == 6);
  CHECK(d[0].path == "/dev/null");
  CHECK(d[0].major == 1);
  CHECK(d[0].minor == 3);
  CHECK(d[5].path == "/dev/tty");
  CHECK(d[5].major == 5);
  CHECK(d[5].minor == 0);
  for (const auto& n : d) {
    CHECK(n.mode == 0666);
    CHECK(n.uid == 0);
    CHECK(n.type == 'c');
  }
}

TEST_CASE("linux.devices are added, and replace a default of the same path") {
  oci::Spec spec;
  spec.linux.emplace();
  oci::Device fuse;
  fuse.path = "/dev/fuse";
  fuse.type = 'c';
  fuse.major = 10;
  fuse.minor = 229;
  fuse.file_mode = 0620;
  fuse.uid = 1000;
  fuse.gid = 5;
  oci::Device null;
  null.path = "/dev//null";
  null.major = 1;
  null.minor = 3;
  null.file_mode = 020600;  // type bits in fileMode are ignored
  spec.linux->devices = {fuse, null};
  auto d = plan_devices(spec);
  REQUIRE(d.size() == 7);
  CHECK(d[0].path == "/dev/null");
  CHECK(d[0].mode == 0600);
  CHECK(d[6].path == "/dev/fuse");
  CHECK(d[6].mode == 0620);
  CHECK(d[6].uid == 1000);
  CHECK(d[6].gid == 5);
  CHECK(mknod_mode(d[6]) == (S_IFCHR | 0620));
}

TEST_CASE("mknod modes by type") {
  DeviceNode n;
  n.mode = 0660;
  n.type = 'b';
  CHECK(mknod_mode(n) == (S_IFBLK | 0660));
  n.type = 'u';
  CHECK(mknod_mode(n) == (S_IFCHR | 0660));
  n.type = 'p';
  CHECK(mknod_mode(n) == (S_IFIFO | 0660));
  n.type = 'x';
  CHECK_THROWS(mknod_mode(n));
}

TEST_CASE("/dev is set up unless it is a bind mount") {
  oci::Spec spec;
  CHECK(needs_dev_setup(spec));
  spec.mounts.push_back({"/dev", "tmpfs", "tmpfs", {"nosuid"}, {}, {}});
  CHECK(needs_dev_setup(spec));
  spec.mounts.push_back({"/dev/", "none", "/dev", {"rbind"}, {}, {}});
  CHECK_FALSE(needs_dev_setup(spec));
}

TEST_CASE("dev symlinks") {
  auto links = plan_dev_symlinks(false);
  REQUIRE(links.size() == 4);
  CHECK(links[0].link == "/dev/fd");
  CHECK(links[0].target == "/proc/self/fd");
  CHECK(links[3].link == "/dev/stderr");
  CHECK(plan_dev_symlinks(true).back().link == "/dev/core");
}

TEST_CASE("default device cgroup rules are runc's allow list") {
  auto rules = default_device_rules();
  REQUIRE(rules.size() == 11);
  for (const auto& r : rules) CHECK(r.allow);
  CHECK(rules[0].type == "c");
  CHECK_FALSE(rules[0].major);
  CHECK_FALSE(rules[0].minor);
  CHECK(rules[0].access == "m");
  CHECK(rules[1].type == "b");
  // Every default node is usable.
  for (const auto& node : plan_devices(oci::Spec{})) {
    bool allowed = false;
    for (const auto& r : rules)
      allowed = allowed || (r.type == "c" && r.major == node.major && (!r.minor || *r.minor == node.minor) &&
                            r.access == "rwm");
    CHECK(allowed);
  }
  CHECK(rules[8].major == 136);
  CHECK_FALSE(rules[8].minor);
}
