#pragma once
// cgroup v2 manager: one directory in the unified hierarchy, written directly (see libcg.hpp for why
// libcgroup is not used here).
#include <memory>
#include <string>
#include <vector>

#include "cgroups/manager.hpp"

namespace agentrt::cgroups {

// mountpoint: the cgroup2 mount; path: the container's cgroup inside it ("/a/b"); created: directories
// made by an earlier create() (from save()), removed by destroy().
std::unique_ptr<Manager> make_v2_manager(const std::string& mountpoint, const std::string& path,
                                         std::vector<std::string> created = {});
std::unique_ptr<Manager> load_v2_manager(const nlohmann::json& saved);

}  // namespace agentrt::cgroups
