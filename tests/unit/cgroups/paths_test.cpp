#include "cgroups/paths.hpp"

#include <catch2/catch.hpp>

#include "oci/support/error.hpp"

using namespace agentrt::cgroups;

TEST_CASE("mountinfo: v1 hierarchies, named hierarchy and the cgroup2 mount") {
  const char* text =
      "30 25 0:26 / /sys/fs/cgroup rw - tmpfs tmpfs rw,mode=755\n"
      "31 30 0:27 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid shared:9 - cgroup cgroup rw,cpu,cpuacct\n"
      "32 30 0:28 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
      "33 30 0:29 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,xattr,name=systemd\n"
      "34 30 0:30 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw,nsdelegate\n"
      "35 25 0:5 / /proc rw - proc proc rw\n";
  MountTable t = parse_mountinfo(text);
  REQUIRE(t.v1.size() == 3);
  CHECK(t.v1[0].mountpoint == "/sys/fs/cgroup/cpu,cpuacct");
  CHECK(t.v1[0].controllers == std::vector<std::string>{"cpu", "cpuacct"});
  CHECK(t.v1[1].controllers == std::vector<std::string>{"memory"});
  CHECK(t.v1[2].controllers == std::vector<std::string>{"name=systemd"});
  CHECK(t.unified == "/sys/fs/cgroup/unified");
}

TEST_CASE("mountinfo: pure v2") {
  MountTable t = parse_mountinfo("29 25 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n");
  CHECK(t.v1.empty());
  CHECK(t.unified == "/sys/fs/cgroup");
}

TEST_CASE("/proc/self/cgroup parsing splits combined controllers") {
  auto m = parse_proc_cgroup("9:name=systemd:/\n2:cpu,cpuacct:/a\n4:memory:/process_api/x\n0::/init\n");
  CHECK(m.at("name=systemd") == "/");
  CHECK(m.at("cpu") == "/a");
  CHECK(m.at("cpuacct") == "/a");
  CHECK(m.at("memory") == "/process_api/x");
  CHECK(m.at("") == "/init");
}

TEST_CASE("clean_path") {
  CHECK(clean_path("/a//b/./c/") == "/a/b/c");
  CHECK(clean_path("/../a/../../b") == "/b");
  CHECK(clean_path("a/b/..") == "a");
  CHECK(clean_path("/") == "/");
}

TEST_CASE("expand_slice follows systemd's naming") {
  CHECK(expand_slice("system.slice") == "/system.slice");
  CHECK(expand_slice("a-b.slice") == "/a.slice/a-b.slice");
  CHECK(expand_slice("a-b-c.slice") == "/a.slice/a-b.slice/a-b-c.slice");
  CHECK(expand_slice("-.slice") == "/");
  CHECK_THROWS_AS(expand_slice("foo"), agentrt::Error);
  CHECK_THROWS_AS(expand_slice("a--b.slice"), agentrt::Error);
  CHECK_THROWS_AS(expand_slice("a/b.slice"), agentrt::Error);
}

TEST_CASE("inner_path: cgroupfs driver") {
  CHECK(inner_path({"c1", "", false}) == "c1");  // runc: relative <id>, nested under the caller's cgroup
  CHECK(inner_path({"c1", "/abs/path", false}) == "/abs/path");
  CHECK(inner_path({"c1", "rel/path", false}) == "rel/path");
  CHECK(inner_path({"c1", "/a/../../b", false}) == "/b");
}

TEST_CASE("inner_path: systemd driver") {
  CHECK(inner_path({"ID", "system.slice:docker:ID", true}) == "/system.slice/docker-ID.scope");
  CHECK(inner_path({"c1", "", true}) == "/system.slice/runc-c1.scope");
  CHECK(inner_path({"c1", "a-b.slice:pre:name", true}) == "/a.slice/a-b.slice/pre-name.scope");
  CHECK(inner_path({"c1", ":pre:name", true}) == "/system.slice/pre-name.scope");
  CHECK(inner_path({"c1", "user.slice::name", true}) == "/user.slice/name.scope");
  CHECK(inner_path({"c1", "a.slice:x:a-b.slice", true}) == "/a.slice/a-b.slice");
  REQUIRE_THROWS_WITH(inner_path({"c1", "/not/systemd", true}),
                      Catch::Contains("expected cgroupsPath to be of format \"slice:prefix:name\""));
}

TEST_CASE("nest_path") {
  CHECK(nest_path("/process_api/x", "c1") == "/process_api/x/c1");
  CHECK(nest_path("/", "c1") == "/c1");
  CHECK(nest_path("/process_api/x", "/abs") == "/abs");
}
