#pragma once
// The upper layer of a workspace overlay -> the changes it holds, and those changes -> the steps that apply
// them to the host directory. Pure: the host is asked through callbacks so the tests need no overlay.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "workspace/facts.hpp"

namespace agentrt::workspace {

// One entry of the upper layer, path relative to its root.
struct UpperEntry {
  std::string path;
  bool whiteout = false;  // a 0:0 character device: the lower entry is deleted
  bool opaque = false;    // a directory with trusted.overlay.opaque=y: it hides the whole lower directory
  FileFacts facts;        // of the upper entry (ino is the upper inode: hard links share it)
  uint64_t nlink = 1;
  std::string link_target;  // for symlinks
};

enum class ChangeType { added, modified, deleted };
const char* to_string(ChangeType t);

struct Change {
  std::string path;
  ChangeType type = ChangeType::added;
  Kind kind = Kind::file;  // what the path holds after the change (before it, for deleted)
  bool opaque = false;     // a directory that replaced the lower one (its lower entries are deleted too)
  FileFacts facts;         // the upper entry's (not meaningful for deleted)
  uint64_t nlink = 1;
  std::string link_target;
};

// Changes in path order (a directory before what it holds). `baseline` is the host tree as it was when the
// container was created: what the overlay showed below the upper layer.
std::vector<Change> plan_diff(const std::vector<UpperEntry>& upper, const Tree& baseline);

// Keeps the changes at or under one of `paths` (relative to the mount's root; "" keeps everything).
std::vector<Change> select_changes(const std::vector<Change>& changes, const std::vector<std::string>& paths);

struct Step {
  enum class Op { remove, write_file, hard_link, symlink, mkdir, set_meta, mkfifo };
  Op op = Op::write_file;
  std::string path;
  FileFacts facts;           // mode/owner/mtime to give the result
  std::string link;          // symlink target, or (hard_link) the path this one links to
  bool clear_first = false;  // remove what the host has at path (another kind) before the step
};
const char* to_string(Step::Op op);

struct Conflict {
  std::string path;
  std::string reason;
};

struct CommitPlan {
  std::vector<Step> steps;
  std::vector<Conflict> conflicts;
  std::vector<std::string> applied;  // change paths the steps apply (their upper entries go afterwards)
};

// Whether what the host holds at a path (nullopt: nothing) lets the commit go ahead: it is as the baseline
// recorded it, or as the journal says an earlier, interrupted commit left it.
using Expected = std::function<bool(const std::string&, const std::optional<FileFacts>&)>;
// The host now, by path relative to the mount's root; and the host tree under a directory.
using HostLookup = std::function<std::optional<FileFacts>(const std::string&)>;
using HostScan = std::function<Tree(const std::string&)>;

// A change whose path (or, for a removed directory, anything under it) is not as `expected` allows is a
// conflict: left out, and so is everything under it. So is a change whose parent directory is gone from the
// host. Hard links inside the upper layer (same upper inode) become links to the first path written.
CommitPlan plan_commit(const std::vector<Change>& changes, const Expected& expected, const HostLookup& host,
                       const HostScan& host_tree);

}  // namespace agentrt::workspace
