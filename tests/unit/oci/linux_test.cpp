// linux: namespaces, id mappings, time offsets, devices, propagation, paths, sysctl, labels, personality.
#include <catch2/catch.hpp>

#include "full_config.hpp"
#include "helpers.hpp"

using namespace agentrt::oci;
using namespace agentrt::oci::test;
using nlohmann::json;

namespace {

json with_linux(json linux_section) {
  return set(minimal(), "/linux", std::move(linux_section));
}

}  // namespace

TEST_CASE("linux namespaces are parsed with type and path", "[parse][linux]") {
  const Linux l = *parse_spec(json::parse(kFullConfig)).linux;
  REQUIRE(l.namespaces.size() == 8);
  const std::vector<NamespaceType> types{NamespaceType::pid,    NamespaceType::network, NamespaceType::mount,
                                         NamespaceType::ipc,    NamespaceType::uts,     NamespaceType::user,
                                         NamespaceType::cgroup, NamespaceType::time};
  for (size_t i = 0; i < types.size(); ++i) CHECK(l.namespaces[i].type == types[i]);
  CHECK(l.namespaces[1].path == "/var/run/netns/agent");
  CHECK(l.namespaces[0].path.empty());
  CHECK(l.has_namespace(NamespaceType::time));
  CHECK(l.find_namespace(NamespaceType::network)->path == "/var/run/netns/agent");
}

TEST_CASE("linux id mappings, time offsets, devices and the rest", "[parse][linux]") {
  const Linux l = *parse_spec(json::parse(kFullConfig)).linux;
  REQUIRE(l.uid_mappings.size() == 1);
  CHECK(l.uid_mappings[0].container_id == 0);
  CHECK(l.uid_mappings[0].host_id == 100000);
  CHECK(l.uid_mappings[0].size == 65536);
  REQUIRE(l.gid_mappings.size() == 1);
  CHECK(l.gid_mappings[0].host_id == 200000);
  CHECK(l.gid_mappings[0].size == 65537);

  REQUIRE(l.time_offsets.size() == 2);
  CHECK(l.time_offsets.at("monotonic").secs == -30);
  CHECK(l.time_offsets.at("monotonic").nanosecs == 500);
  CHECK(l.time_offsets.at("boottime").secs == 7200);
  CHECK(l.time_offsets.at("boottime").nanosecs == 0);

  REQUIRE(l.devices.size() == 4);
  CHECK(l.devices[0].path == "/dev/fuse");
  CHECK(l.devices[0].type == 'c');
  CHECK(l.devices[0].major == 10);
  CHECK(l.devices[0].minor == 229);
  CHECK(l.devices[0].file_mode == 0666u);
  CHECK(l.devices[0].uid == 0u);
  CHECK(l.devices[0].gid == 0u);
  CHECK(l.devices[1].type == 'b');
  CHECK(l.devices[1].major == 8);
  CHECK_FALSE(l.devices[1].file_mode);
  CHECK_FALSE(l.devices[1].uid);
  CHECK(l.devices[2].type == 'p');
  CHECK(l.devices[2].major == 0);
  CHECK(l.devices[3].type == 'u');

  CHECK(l.cgroups_path == "/agents/agent-1");
  CHECK(l.rootfs_propagation == "rslave");
  CHECK(l.masked_paths == std::vector<std::string>{"/proc/kcore", "/sys/firmware"});
  CHECK(l.readonly_paths == std::vector<std::string>{"/proc/sys", "/proc/bus"});
  CHECK(l.sysctl ==
        std::map<std::string, std::string>{{"net.ipv4.ip_forward", "1"}, {"kernel.shm_rmid_forced", "1"}});
  CHECK(l.mount_label == "system_u:object_r:container_file_t:s0");
  REQUIRE(l.personality);
  CHECK(l.personality->domain == "LINUX32");
  CHECK(l.personality->flags == std::vector<std::string>{"ADDR_NO_RANDOMIZE"});
  CHECK(l.resources);
  CHECK(l.seccomp);
}

TEST_CASE("an empty linux section", "[parse][linux]") {
  const Linux l = *parse_spec(with_linux(json::object())).linux;
  CHECK(l.namespaces.empty());
  CHECK_FALSE(l.resources);
  CHECK_FALSE(l.seccomp);
  CHECK_FALSE(l.personality);
  CHECK(l.rootfs_propagation.empty());
}

TEST_CASE("namespace errors", "[parse][linux]") {
  json ns = json::array({{{"type", "pid"}}, {{"type", "mount"}}, {{"type", "foo"}}});
  CHECK(spec_error(with_linux({{"namespaces", ns}})) ==
        "linux.namespaces[2].type: unknown namespace type \"foo\"");
  ns[2]["type"] = "pid";
  CHECK(spec_error(with_linux({{"namespaces", ns}})) ==
        "linux.namespaces[2].type: duplicate namespace type \"pid\"");
  ns[2] = {{"path", "/proc/1/ns/net"}};
  CHECK(spec_error(with_linux({{"namespaces", ns}})) == "linux.namespaces[2].type: required");
  ns[2] = {{"type", "network"}, {"path", "proc/1/ns/net"}};
  CHECK(spec_error(with_linux({{"namespaces", ns}})) ==
        "linux.namespaces[2].path: must be an absolute path, got \"proc/1/ns/net\"");
  CHECK(spec_error(with_linux({{"namespaces", {"pid"}}})) ==
        "linux.namespaces[0]: expected object, got string");
}

TEST_CASE("user namespace and mappings go together", "[parse][linux]") {
  json mapping = json::array({{{"containerID", 0}, {"hostID", 1000}, {"size", 1}}});
  CHECK(spec_error(with_linux({{"uidMappings", mapping}})) ==
        "linux.uidMappings: user namespace mappings specified, but linux.namespaces has no user namespace");
  json user_ns = json::array({{{"type", "user"}}});
  CHECK(spec_error(with_linux({{"namespaces", user_ns}, {"uidMappings", mapping}})) ==
        "linux.gidMappings: required when creating a user namespace");
  CHECK(spec_error(with_linux({{"namespaces", user_ns}})) ==
        "linux.uidMappings: required when creating a user namespace");
  // Joining an existing user namespace needs no mappings.
  json join = json::array({{{"type", "user"}, {"path", "/proc/42/ns/user"}}});
  CHECK(parse_spec(with_linux({{"namespaces", join}})).linux->namespaces[0].path == "/proc/42/ns/user");
  CHECK(spec_error(with_linux({{"namespaces", user_ns},
                               {"uidMappings", mapping},
                               {"gidMappings", {{{"containerID", 0}, {"size", 1}}}}})) ==
        "linux.gidMappings[0].hostID: required");
}

TEST_CASE("device errors", "[parse][linux]") {
  auto device_error = [](json dev) { return spec_error(with_linux({{"devices", json::array({dev})}})); };
  CHECK(device_error({{"type", "c"}, {"major", 1}, {"minor", 3}}) == "linux.devices[0].path: required");
  CHECK(device_error({{"path", "dev/null"}, {"type", "c"}, {"major", 1}, {"minor", 3}}) ==
        "linux.devices[0].path: must be an absolute path, got \"dev/null\"");
  CHECK(device_error({{"path", "/dev/x"}, {"type", "x"}, {"major", 1}, {"minor", 3}}) ==
        "linux.devices[0].type: unknown device type \"x\", expected one of c, b, u, p");
  CHECK(device_error({{"path", "/dev/x"}, {"major", 1}, {"minor", 3}}) == "linux.devices[0].type: required");
  CHECK(device_error({{"path", "/dev/x"}, {"type", "c"}, {"minor", 3}}) ==
        "linux.devices[0].major: required");
  CHECK(device_error({{"path", "/dev/x"}, {"type", "b"}, {"major", 1}}) ==
        "linux.devices[0].minor: required");
  CHECK(device_error({{"path", "/dev/x"}, {"type", "c"}, {"major", 1}, {"minor", 3}, {"fileMode", -1}}) ==
        "linux.devices[0].fileMode: expected non-negative integer, got -1");
}

TEST_CASE("rootfs propagation takes runc's eight modes", "[parse][linux]") {
  for (const char* mode :
       {"shared", "rshared", "slave", "rslave", "private", "rprivate", "unbindable", "runbindable"})
    CHECK(parse_spec(with_linux({{"rootfsPropagation", mode}})).linux->rootfs_propagation == mode);
  CHECK(spec_error(with_linux({{"rootfsPropagation", "recursive"}})) ==
        "linux.rootfsPropagation: unknown propagation \"recursive\", expected one of shared, slave, private, "
        "unbindable (or rshared, rslave, rprivate, runbindable)");
}

TEST_CASE("time offsets, sysctl, paths and personality errors", "[parse][linux]") {
  CHECK(spec_error(with_linux({{"timeOffsets", {{"realtime", {{"secs", 1}}}}}})) ==
        "linux.timeOffsets.realtime: unknown clock \"realtime\"");
  CHECK(spec_error(with_linux({{"timeOffsets", {{"boottime", {{"secs", 1.5}}}}}})) ==
        "linux.timeOffsets.boottime.secs: expected integer, got number 1.5");
  CHECK(spec_error(with_linux({{"timeOffsets", {{"monotonic", {{"nanosecs", -1}}}}}})) ==
        "linux.timeOffsets.monotonic.nanosecs: expected non-negative integer, got -1");
  CHECK(spec_error(with_linux({{"sysctl", {{"net.ipv4.ip_forward", 1}}}})) ==
        "linux.sysctl.net.ipv4.ip_forward: expected string, got number");
  CHECK(spec_error(with_linux({{"maskedPaths", "/proc/kcore"}})) ==
        "linux.maskedPaths: expected array, got string");
  CHECK(spec_error(with_linux({{"readonlyPaths", json::array({"/proc/sys", false})}})) ==
        "linux.readonlyPaths[1]: expected string, got boolean");
  CHECK(spec_error(with_linux({{"personality", {{"domain", "BSD"}}}})) ==
        "linux.personality.domain: unknown domain \"BSD\"");
  CHECK(spec_error(with_linux({{"personality", {{"flags", json::array()}}}})) ==
        "linux.personality.domain: required");
  CHECK(spec_error(with_linux({{"cgroupsPath", 5}})) == "linux.cgroupsPath: expected string, got number");
  CHECK(spec_error(set(minimal(), "/linux", "x")) == "linux: expected object, got string");
}
