#include "runtime/mount_options.hpp"

#include <sys/mount.h>

#include <catch2/catch.hpp>

#include "oci/support/error.hpp"

using namespace agentrt;
using namespace agentrt::runtime;

TEST_CASE("every flag option sets its mount flag and its opposite clears it") {
  struct Case {
    const char* set;
    const char* clear;
    unsigned long flag;
  };
  const Case cases[] = {
      {"ro", "rw", MS_RDONLY},
      {"nosuid", "suid", MS_NOSUID},
      {"nodev", "dev", MS_NODEV},
      {"noexec", "exec", MS_NOEXEC},
      {"sync", "async", MS_SYNCHRONOUS},
      {"mand", "nomand", MS_MANDLOCK},
      {"noatime", "atime", MS_NOATIME},
      {"nodiratime", "diratime", MS_NODIRATIME},
      {"relatime", "norelatime", MS_RELATIME},
      {"strictatime", "nostrictatime", MS_STRICTATIME},
      {"nosymfollow", "symfollow", MS_NOSYMFOLLOW},
      {"lazytime", "nolazytime", MS_LAZYTIME},
      {"iversion", "noiversion", MS_I_VERSION},
      {"silent", "loud", MS_SILENT},
  };
  for (const auto& c : cases) {
    INFO(c.set << " / " << c.clear);
    auto set = parse_mount_options({c.set});
    CHECK(set.flags == c.flag);
    CHECK(set.data.empty());
    CHECK(set.propagation.empty());
    CHECK(parse_mount_options({c.set, c.clear}).flags == 0);
    CHECK(parse_mount_options({c.clear, c.set}).flags == c.flag);
    CHECK(parse_mount_options({c.clear}).flags == 0);
  }
}

TEST_CASE("set-only flag options") {
  CHECK(parse_mount_options({"dirsync"}).flags == MS_DIRSYNC);
  CHECK(parse_mount_options({"remount"}).flags == MS_REMOUNT);
  CHECK(parse_mount_options({"defaults"}).flags == 0);
  CHECK(parse_mount_options({"defaults"}).data.empty());
}

TEST_CASE("bind and rbind") {
  auto bind = parse_mount_options({"bind"});
  CHECK(bind.flags == MS_BIND);
  CHECK(bind.bind());
  CHECK_FALSE(bind.recursive());
  auto rbind = parse_mount_options({"rbind", "ro"});
  CHECK(rbind.flags == (MS_BIND | MS_REC | MS_RDONLY));
  CHECK(rbind.recursive());
  CHECK_FALSE(parse_mount_options({"ro"}).bind());
}

TEST_CASE("propagation options become separate calls in option order") {
  struct Case {
    const char* name;
    unsigned long flags;
  };
  const Case cases[] = {
      {"private", MS_PRIVATE},       {"rprivate", MS_PRIVATE | MS_REC},
      {"shared", MS_SHARED},         {"rshared", MS_SHARED | MS_REC},
      {"slave", MS_SLAVE},           {"rslave", MS_SLAVE | MS_REC},
      {"unbindable", MS_UNBINDABLE}, {"runbindable", MS_UNBINDABLE | MS_REC},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    auto o = parse_mount_options({c.name});
    CHECK(o.flags == 0);
    REQUIRE(o.propagation.size() == 1);
    CHECK(o.propagation[0] == c.flags);
    CHECK(propagation_flags(c.name) == c.flags);
    CHECK(propagation_name(c.flags) == c.name);
  }
  auto o = parse_mount_options({"rbind", "rslave", "ro", "unbindable"});
  CHECK(o.flags == (MS_BIND | MS_REC | MS_RDONLY));
  CHECK(o.propagation == std::vector<unsigned long>{MS_SLAVE | MS_REC, MS_UNBINDABLE});
  CHECK(propagation_flags("ro") == 0);
}

TEST_CASE("unknown options pass through as filesystem data in order") {
  auto o = parse_mount_options({"nosuid", "mode=755", "strictatime", "size=65536k", "newinstance", "gid=5"});
  CHECK(o.flags == (MS_NOSUID | MS_STRICTATIME));
  CHECK(o.data == "mode=755,size=65536k,newinstance,gid=5");
  CHECK(parse_mount_options({}).data.empty());
}

TEST_CASE("recursive attribute options") {
  auto o = parse_mount_options({"rro", "rnosuid", "rnoexec", "rnodev"});
  CHECK(o.attr_set == (MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC | MOUNT_ATTR_NODEV));
  CHECK(o.attr_clr == 0);
  CHECK(o.flags == 0);
  auto rw = parse_mount_options({"rro", "rrw"});
  CHECK(rw.attr_set == 0);
  CHECK(rw.attr_clr == MOUNT_ATTR_RDONLY);
  auto atime = parse_mount_options({"rnoatime"});
  CHECK(atime.attr_set == MOUNT_ATTR_NOATIME);
  CHECK(atime.attr_clr == MOUNT_ATTR__ATIME);
}

TEST_CASE("tmpcopyup is an extension, not filesystem data") {
  auto o = parse_mount_options({"tmpcopyup", "mode=1777"});
  CHECK(o.tmpcopyup);
  CHECK(o.data == "mode=1777");
}

TEST_CASE("rootfsPropagation values") {
  CHECK(rootfs_propagation_flags("") == 0);
  CHECK(rootfs_propagation_flags("rslave") == (MS_SLAVE | MS_REC));
  CHECK(rootfs_propagation_flags("shared") == MS_SHARED);
  CHECK(rootfs_propagation_flags("private") == MS_PRIVATE);
  CHECK_THROWS_WITH(rootfs_propagation_flags("sideways"),
                    "linux.rootfsPropagation: unsupported value \"sideways\"");
}
