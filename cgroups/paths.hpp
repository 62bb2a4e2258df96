#pragma once
// Where a container's cgroup lives: the mount table, the caller's own cgroup, and linux.cgroupsPath
// resolved the way runc resolves it. Everything here is pure except the read_* helpers at the end.
#include <map>
#include <string>
#include <vector>

#include "cgroups/manager.hpp"

namespace agentrt::cgroups {

// One mounted cgroup v1 hierarchy, e.g. /sys/fs/cgroup/memory with controllers {"memory"}; a named
// hierarchy such as name=systemd has controllers {"name=systemd"}.
struct Hierarchy {
  std::string mountpoint;
  std::string root;  // the mount's root inside the hierarchy ("/" unless bind-mounted from a sub-cgroup)
  std::vector<std::string> controllers;
};

struct MountTable {
  std::vector<Hierarchy> v1;
  std::string unified;  // cgroup2 mount point, empty when none
  std::string unified_root = "/";
};

MountTable parse_mountinfo(const std::string& text);
// /proc/<pid>/cgroup -> controller ("memory", "name=systemd", "" for the v2 line) -> path.
std::map<std::string, std::string> parse_proc_cgroup(const std::string& text);

// Lexically cleans a path: collapses "//", ".", ".." (never above the start). Keeps absolute/relative.
std::string clean_path(const std::string& p);

// systemd slice name -> its cgroup path: "a-b.slice" -> "/a.slice/a-b.slice", "-.slice" -> "/".
std::string expand_slice(const std::string& slice);

// The container's path inside every hierarchy, before nesting: absolute ("/a/b") or relative ("a/b").
// Empty cgroupsPath gives runc's default: "<id>" relative to the caller's own cgroup (verified with
// runc 1.1.5), or "/system.slice/runc-<id>.scope" with systemd. systemd paths are "slice:prefix:name".
std::string inner_path(const Config& cfg);

// Absolute path inside one hierarchy: inner itself when absolute, else nested under own (the caller's
// cgroup in that hierarchy).
std::string nest_path(const std::string& own, const std::string& inner);

MountTable read_mount_table();
std::map<std::string, std::string> read_own_cgroups();

}  // namespace agentrt::cgroups
