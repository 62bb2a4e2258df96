#include "oci/default_spec.hpp"

#include <unistd.h>

#include <string>
#include <vector>

namespace agentrt::oci {
namespace {

using nlohmann::json;

json process() {
  const json caps = json::array({"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"});
  return {
      {"terminal", true},
      {"user", {{"uid", 0}, {"gid", 0}}},
      {"args", json::array({"sh"})},
      {"env",
       json::array({"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"})},
      {"cwd", "/"},
      {"capabilities", {{"bounding", caps}, {"effective", caps}, {"permitted", caps}}},
      {"rlimits", json::array({{{"type", "RLIMIT_NOFILE"}, {"hard", 1024}, {"soft", 1024}}})},
      {"noNewPrivileges", true},
  };
}

json mount(const char* destination, const char* type, const char* source, std::vector<std::string> options) {
  json m = {{"destination", destination}, {"type", type}, {"source", source}};
  if (!options.empty()) m["options"] = std::move(options);
  return m;
}

json mounts(bool rootless) {
  std::vector<std::string> devpts_options{"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"};
  // Group 5 (tty) is not mapped in a rootless user namespace.
  if (!rootless) devpts_options.push_back("gid=5");
  return json::array({
      mount("/proc", "proc", "proc", {}),
      mount("/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"}),
      mount("/dev/pts", "devpts", "devpts", std::move(devpts_options)),
      mount("/dev/shm", "tmpfs", "shm", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}),
      mount("/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev"}),
      // A user namespace that does not own the network namespace cannot mount a new sysfs.
      rootless ? mount("/sys", "none", "/sys", {"rbind", "nosuid", "noexec", "nodev", "ro"})
               : mount("/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro"}),
      mount("/sys/fs/cgroup", "cgroup", "cgroup", {"nosuid", "noexec", "nodev", "relatime", "ro"}),
  });
}

json linux_section(bool rootless, uid_t host_uid, gid_t host_gid) {
  json namespaces = json::array();
  for (const char* type : {"pid", "network", "ipc", "uts", "mount", "cgroup"})
    namespaces.push_back({{"type", type}});
  json l;
  if (rootless) {
    namespaces.push_back({{"type", "user"}});
    l["uidMappings"] = json::array({{{"containerID", 0}, {"hostID", host_uid}, {"size", 1}}});
    l["gidMappings"] = json::array({{{"containerID", 0}, {"hostID", host_gid}, {"size", 1}}});
  } else {
    l["resources"] = {{"devices", json::array({{{"allow", false}, {"access", "rwm"}}})}};
  }
  l["namespaces"] = std::move(namespaces);
  l["maskedPaths"] =
      json::array({"/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
                   "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware",
                   "/proc/scsi", "/sys/devices/virtual/powercap"});
  l["readonlyPaths"] =
      json::array({"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"});
  return l;
}

}  // namespace

json default_spec(bool rootless, uid_t host_uid, gid_t host_gid) {
  return {
      {"ociVersion", "1.2.0"},
      {"process", process()},
      {"root", {{"path", "rootfs"}, {"readonly", true}}},
      {"hostname", "agentrt"},
      {"mounts", mounts(rootless)},
      {"linux", linux_section(rootless, host_uid, host_gid)},
  };
}

json default_spec(bool rootless) {
  return default_spec(rootless, ::getuid(), ::getgid());
}

}  // namespace agentrt::oci
