// create_manager / load_manager: pick the implementation for this host's layout.
#include "cgroups/manager.hpp"
#include "cgroups/paths.hpp"
#include "cgroups/systemd/manager_systemd.hpp"
#include "cgroups/v1/manager_v1.hpp"
#include "cgroups/v2/manager_v2.hpp"
#include "oci/support/error.hpp"

namespace agentrt::cgroups {

std::unique_ptr<Manager> create_manager(const Config& cfg) {
  Layout layout = detect_layout();
  MountTable mounts = read_mount_table();
  if (cfg.systemd) return systemd::make_manager(cfg, layout, mounts.unified);
  auto own = read_own_cgroups();
  std::string inner = inner_path(cfg);
  if (layout == Layout::unified) {
    if (mounts.unified.empty()) throw Error("cgroup2 is not mounted");
    auto it = own.find("");
    // On v2 a relative path nests under the PARENT of our own cgroup, as runc does: our own cgroup holds
    // processes, and the no-internal-processes rule would forbid enabling controllers below it.
    std::string own_path = it == own.end() ? "/" : it->second;
    size_t slash = own_path.find_last_of('/');
    std::string parent = slash == std::string::npos || slash == 0 ? "/" : own_path.substr(0, slash);
    return make_v2_manager(mounts.unified, nest_path(parent, inner));
  }
  return make_v1_manager(layout, mounts, own, inner);
}

std::unique_ptr<Manager> load_manager(const nlohmann::json& saved) {
  if (!saved.is_object() || !saved.contains("layout")) throw Error("saved cgroup state: missing layout");
  try {
    if (systemd::is_saved_systemd(saved)) return systemd::load_manager(saved);
    if (saved.at("layout") == "unified") return load_v2_manager(saved);
    return load_v1_manager(saved);
  } catch (const nlohmann::json::exception& e) {
    throw Error(std::string("saved cgroup state: ") + e.what());
  }
}

}  // namespace agentrt::cgroups
