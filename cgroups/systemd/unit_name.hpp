#pragma once
// --systemd-cgroup: linux.cgroupsPath "slice:prefix:name" -> the transient unit runc would ask systemd for.
// Pure: no D-Bus, no files.
#include <string>

#include "cgroups/manager.hpp"

namespace agentrt::cgroups::systemd {

struct UnitName {
  std::string unit;    // "agentrt-c1.scope", or the slice itself when name is one ("a-b.slice")
  std::string parent;  // the slice the unit goes in: a scope's Slice=, a slice's Wants= ("system.slice")
  std::string path;    // where systemd puts the unit's cgroup: "/system.slice/agentrt-c1.scope"
  bool is_slice = false;
};

// Empty cgroupsPath: runc's default "system.slice:runc:<id>". An empty slice field means system.slice,
// an empty prefix gives "<name>.scope". Throws naming linux.cgroupsPath when it is not three fields.
UnitName unit_name(const Config& cfg);

}  // namespace agentrt::cgroups::systemd
