#pragma once
// Which bind mounts of a spec become workspace overlays, and where their layers live. Pure.
//   annotation run.agentrt.workspace="/work,/src"   or   agentrt --workspace /work,/src create ...
// Each named destination must be a writable bind mount of a host directory; it is mounted as
// overlay(lower = the host directory, upper/work in the store) so the host stays untouched until a commit.
#include <optional>
#include <string>
#include <vector>

#include "oci/spec.hpp"

namespace agentrt::workspace {

inline constexpr const char* kAnnotation = "run.agentrt.workspace";
inline constexpr const char* kDefaultStore = "/var/lib/agentrt/workspaces";

inline constexpr const char* kConfigPath = "/etc/agentrt/config.json";

// The store's root: --workspace-store, else "workspaceStore" in the config file (its text, nullopt when there
// is none), else kDefaultStore. Throws naming the file and field when the value is not an absolute path.
std::string resolve_store(const std::string& flag, const std::optional<std::string>& config_text,
                          const std::string& config_path);
// resolve_store with the config file read from config_path.
std::string store_root(const std::string& flag, const std::string& config_path = kConfigPath);

// "/work, /src/" -> {"/work", "/src"}: trimmed, trailing slashes dropped, duplicates once. Throws Error
// naming `what` for an entry that is empty or not absolute.
std::vector<std::string> parse_destinations(const std::string& list, const std::string& what);

// The destinations asked for by the annotation and by the --workspace flag (either may be empty), in order.
std::vector<std::string> requested_destinations(const oci::Spec& spec, const std::string& flag);

struct MountPlan {
  size_t mount_index = 0;   // in spec.mounts
  std::string destination;  // as the spec wrote it
  std::string source;       // absolute host directory: the overlay's lower layer
  std::string dir;          // the mount's directory in the store: "m0", "m1" ...
};

struct Plan {
  std::string store_dir;  // <store>/<container id>
  std::vector<MountPlan> mounts;
};

// Matches each destination to the last spec mount at that destination (the one that shows). Throws Error
// naming the destination when it has no mount, is not a bind, is read-only, or its source is relative to an
// unknown bundle or holds a character the overlay option string cannot carry (',' ':' '\\').
// `bundle` makes relative bind sources absolute.
Plan plan_workspace(const oci::Spec& spec, const std::vector<std::string>& destinations,
                    const std::string& store_root, const std::string& id, const std::string& bundle);

// The spec mount that replaces the bind: type overlay with lowerdir/upperdir/workdir and the bind's other
// options (nosuid, nodev ...). redirect_dir, metacopy and index are off so that the upper layer holds whole
// files and renamed directories as copies plus whiteouts: what the diff reads stays simple and complete.
oci::Mount overlay_mount(const oci::Mount& bind, const std::string& upper, const std::string& work,
                         const std::string& lower);

}  // namespace agentrt::workspace
