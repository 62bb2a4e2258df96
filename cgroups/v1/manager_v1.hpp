#pragma once
// cgroup v1 manager (legacy and hybrid hosts): one directory per mounted hierarchy. Real controllers go
// through libcgroup; named hierarchies (name=systemd) and, on hybrid hosts, the cgroup2 mount (used for
// placement only, as runc does) are handled directly.
#include <map>
#include <memory>
#include <string>

#include "cgroups/manager.hpp"
#include "cgroups/paths.hpp"

namespace agentrt::cgroups {

// inner: the container path before nesting (paths.hpp inner_path); own: the caller's cgroups.
std::unique_ptr<Manager> make_v1_manager(Layout layout, const MountTable& mounts,
                                         const std::map<std::string, std::string>& own,
                                         const std::string& inner);
std::unique_ptr<Manager> load_v1_manager(const nlohmann::json& saved);

}  // namespace agentrt::cgroups
