#pragma once
// Parsers for /proc/<pid>/mountinfo and /proc/<pid>/cgroup. Pure.
#include <map>
#include <string>
#include <vector>

namespace agentrt::runtime {

// One line of /proc/<pid>/mountinfo with octal escapes (\040) decoded.
struct MountInfo {
  int id = 0, parent = 0;
  std::string major_minor, root, mountpoint, mount_options, optional_fields, fstype, source, super_options;
};
std::vector<MountInfo> parse_mountinfo(const std::string& text);

// /proc/self/cgroup -> controller list ("cpu,cpuacct", "name=systemd", "" for v2) -> path.
std::map<std::string, std::string> parse_proc_cgroup(const std::string& text);

}  // namespace agentrt::runtime
