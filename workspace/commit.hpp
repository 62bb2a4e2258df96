#pragma once
// Applying a workspace's changes to the host, file by file: each result is written next to its place and
// renamed over it, so the host never shows a half-written file. Each step is journaled before it shows on
// the host, so a commit killed half-way and run again recognises its own work instead of calling it a
// conflict. What was applied is dropped from the upper layer. The host's filesystem is synced once at the
// end, before the journal is folded into the baseline.
#include <string>
#include <vector>

#include "workspace/diff_plan.hpp"
#include "workspace/store.hpp"

namespace agentrt::workspace {

struct CommitResult {
  size_t applied = 0;
  std::vector<Conflict> conflicts;  // paths relative to the mount's root
};

// `paths` relative to the mount's root; empty commits everything.
CommitResult commit_mount(const Store& store, const std::string& id, const MountRecord& m,
                          const std::vector<std::string>& paths);

}  // namespace agentrt::workspace
