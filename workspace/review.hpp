#pragma once
// What `agentrt workspace` shows and drops: the changes of every mount of a workspace, selected by
// container paths.
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "oci/support/unique_fd.hpp"
#include "workspace/diff_plan.hpp"
#include "workspace/store.hpp"

namespace agentrt::workspace {

struct MountChanges {
  MountRecord mount;
  std::vector<Change> changes;
};

std::vector<MountChanges> workspace_changes(const Store& store, const Record& rec);

// Container paths ("/repo/src") -> per mount (index in rec.mounts) the paths relative to its root. No paths
// selects everything. Throws naming a path that is under no workspace mount.
std::map<size_t, std::vector<std::string>> split_paths(const Record& rec,
                                                       const std::vector<std::string>& paths);

// "/repo" + "src/a.c" -> "/repo/src/a.c".
std::string container_path(const MountRecord& m, const std::string& rel);

nlohmann::json changes_json(const std::vector<MountChanges>& all);

// Drops the selected changes from the upper layer (the host keeps what it has). A deletion hidden by a
// replaced directory cannot be dropped alone: the error names the directory to discard instead.
size_t discard_mount(const Store& store, const std::string& id, const MountRecord& m,
                     const std::vector<std::string>& paths);

// flock on the workspace's directory: one commit or discard at a time. Throws when another holds it.
UniqueFd lock_workspace(const Store& store, const std::string& id);

}  // namespace agentrt::workspace
