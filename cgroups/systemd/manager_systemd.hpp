#pragma once
// --systemd-cgroup on a pure cgroup v2 host: systemd makes the container's cgroup as a transient scope
// (or slice) with Delegate=yes; the limits go both to the unit's properties and, through the v2 manager on
// the unit's directory, to the cgroup files. Stopping the unit removes the cgroup.
#include <memory>

#include "cgroups/manager.hpp"

namespace agentrt::cgroups::systemd {

// Throws, before anything is made, when systemd is not running or the host is not pure cgroup v2.
std::unique_ptr<Manager> make_manager(const Config& cfg, Layout layout, const std::string& cgroup2_mount);
std::unique_ptr<Manager> load_manager(const nlohmann::json& saved);
bool is_saved_systemd(const nlohmann::json& saved);

}  // namespace agentrt::cgroups::systemd
