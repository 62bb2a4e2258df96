// default_spec: the config.json `agentrt spec` writes.
#include "oci/default_spec.hpp"

#include <linux/capability.h>
#include <sys/resource.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "oci/parse.hpp"

using namespace agentrt::oci;
using nlohmann::json;

namespace {

std::vector<std::string> mount_destinations(const Spec& s) {
  std::vector<std::string> out;
  for (const auto& m : s.mounts) out.push_back(m.destination);
  return out;
}

const Mount& find_mount(const Spec& s, const std::string& destination) {
  for (const auto& m : s.mounts)
    if (m.destination == destination) return m;
  FAIL("no mount at " << destination);
  throw;
}

bool has_option(const Mount& m, const std::string& option) {
  return std::find(m.options.begin(), m.options.end(), option) != m.options.end();
}

}  // namespace

TEST_CASE("the default spec round-trips through parse_spec", "[default]") {
  for (bool rootless : {false, true}) {
    json j = default_spec(rootless);
    // What `agentrt spec` writes is the dump; parse that text, as `create` would.
    Spec s = parse_spec(json::parse(j.dump(2)));
    CHECK(s.oci_version == "1.2.0");
    CHECK(s.root.path == "rootfs");
    CHECK(s.root.readonly);
    CHECK(s.hostname == "agentrt");
  }
}

TEST_CASE("the default process is agent-ready", "[default]") {
  const Process p = *parse_spec(default_spec(false)).process;
  CHECK(p.terminal);
  CHECK(p.args == std::vector<std::string>{"sh"});
  CHECK(p.cwd == "/");
  CHECK(p.user.uid == 0);
  CHECK(p.no_new_privileges);
  CHECK(p.env == std::vector<std::string>{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                                          "TERM=xterm"});
  const std::vector<int> minimal{CAP_AUDIT_WRITE, CAP_KILL, CAP_NET_BIND_SERVICE};
  REQUIRE(p.capabilities);
  CHECK(p.capabilities->bounding == minimal);
  CHECK(p.capabilities->effective == minimal);
  CHECK(p.capabilities->permitted == minimal);
  CHECK(p.capabilities->inheritable.empty());
  CHECK(p.capabilities->ambient.empty());
  REQUIRE(p.rlimits.size() == 1);
  CHECK(p.rlimits[0].resource == RLIMIT_NOFILE);
  CHECK(p.rlimits[0].hard == 1024);
  CHECK(p.rlimits[0].soft == 1024);
}

TEST_CASE("the default linux section", "[default]") {
  const Spec s = parse_spec(default_spec(false));
  const Linux& l = *s.linux;
  std::vector<NamespaceType> types;
  for (const auto& ns : l.namespaces) {
    types.push_back(ns.type);
    CHECK(ns.path.empty());
  }
  CHECK(types == std::vector<NamespaceType>{NamespaceType::pid, NamespaceType::network, NamespaceType::ipc,
                                            NamespaceType::uts, NamespaceType::mount, NamespaceType::cgroup});
  CHECK(l.uid_mappings.empty());
  REQUIRE(l.resources);
  REQUIRE(l.resources->devices.size() == 1);
  CHECK_FALSE(l.resources->devices[0].allow);
  CHECK(l.resources->devices[0].access == "rwm");
  CHECK(l.masked_paths == std::vector<std::string>{"/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys",
                                                   "/proc/latency_stats", "/proc/timer_list",
                                                   "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware",
                                                   "/proc/scsi", "/sys/devices/virtual/powercap"});
  CHECK(l.readonly_paths ==
        std::vector<std::string>{"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"});
  CHECK(mount_destinations(s) == std::vector<std::string>{"/proc", "/dev", "/dev/pts", "/dev/shm",
                                                          "/dev/mqueue", "/sys", "/sys/fs/cgroup"});
  CHECK(find_mount(s, "/sys").type == "sysfs");
  CHECK(has_option(find_mount(s, "/dev/pts"), "gid=5"));
  CHECK(has_option(find_mount(s, "/sys/fs/cgroup"), "ro"));
}

TEST_CASE("the rootless default maps root to the calling user", "[default]") {
  const Spec s = parse_spec(default_spec(true, 1234, 5678));
  const Linux& l = *s.linux;
  REQUIRE(l.has_namespace(NamespaceType::user));
  CHECK(l.has_namespace(NamespaceType::network));
  CHECK(l.has_namespace(NamespaceType::cgroup));
  REQUIRE(l.uid_mappings.size() == 1);
  CHECK(l.uid_mappings[0].container_id == 0);
  CHECK(l.uid_mappings[0].host_id == 1234);
  CHECK(l.uid_mappings[0].size == 1);
  REQUIRE(l.gid_mappings.size() == 1);
  CHECK(l.gid_mappings[0].host_id == 5678);
  CHECK_FALSE(l.resources);
  CHECK_FALSE(has_option(find_mount(s, "/dev/pts"), "gid=5"));
  const Mount& sys = find_mount(s, "/sys");
  CHECK(sys.type == "none");
  CHECK(sys.source == "/sys");
  CHECK(has_option(sys, "rbind"));
  CHECK(has_option(sys, "ro"));

  const Spec own = parse_spec(default_spec(true));
  CHECK(own.linux->uid_mappings[0].host_id == ::getuid());
  CHECK(own.linux->gid_mappings[0].host_id == ::getgid());
}
