#include "workspace/diff_plan.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace agentrt::workspace {
namespace {

std::string parent_of(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "" : path.substr(0, slash);
}

bool same_meta(const FileFacts& a, const FileFacts& b) {
  return a.mode == b.mode && a.uid == b.uid && a.gid == b.gid;
}

std::string describe(const std::optional<FileFacts>& f) {
  if (!f) return "absent";
  return std::string(to_string(f->kind)) + " mode " + std::to_string(f->mode) + " size " +
         std::to_string(f->size) + " inode " + std::to_string(f->ino);
}

// Lower entries under an opaque directory that the upper layer does not show: deleted, top-most only.
void add_hidden_lower(const std::string& dir, const std::set<std::string>& in_upper, const Tree& baseline,
                      std::vector<Change>& out) {
  std::string covered;  // the last deleted directory: what is under it goes with it
  for (auto it = baseline.upper_bound(dir); it != baseline.end() && is_under(it->first, dir); ++it) {
    const std::string& p = it->first;
    if (p == dir || in_upper.count(p) || (!covered.empty() && is_under(p, covered))) continue;
    out.push_back({p, ChangeType::deleted, it->second.kind, false, it->second, 1, ""});
    covered = it->second.kind == Kind::dir ? p : "";
  }
}

}  // namespace

const char* to_string(ChangeType t) {
  switch (t) {
    case ChangeType::added:
      return "added";
    case ChangeType::modified:
      return "modified";
    case ChangeType::deleted:
      return "deleted";
  }
  return "?";
}

const char* to_string(Step::Op op) {
  switch (op) {
    case Step::Op::remove:
      return "remove";
    case Step::Op::write_file:
      return "write";
    case Step::Op::hard_link:
      return "link";
    case Step::Op::symlink:
      return "symlink";
    case Step::Op::mkdir:
      return "mkdir";
    case Step::Op::set_meta:
      return "chmod";
    case Step::Op::mkfifo:
      return "mkfifo";
  }
  return "?";
}

std::vector<Change> plan_diff(const std::vector<UpperEntry>& upper, const Tree& baseline) {
  std::set<std::string> in_upper;
  for (const auto& e : upper) in_upper.insert(e.path);
  std::vector<Change> out;
  for (const auto& e : upper) {
    if (e.path.empty()) continue;  // the layer's root: the mount point itself
    auto low = baseline.find(e.path);
    const FileFacts* lower = low == baseline.end() ? nullptr : &low->second;
    if (e.whiteout) {
      if (lower) out.push_back({e.path, ChangeType::deleted, lower->kind, false, *lower, 1, ""});
      continue;
    }
    Change c{e.path, ChangeType::added, e.facts.kind, false, e.facts, e.nlink, e.link_target};
    if (lower) {
      c.type = ChangeType::modified;
      // A directory copied up to hold changes is no change itself unless its mode or owner changed.
      bool plain_dir = e.facts.kind == Kind::dir && lower->kind == Kind::dir && !e.opaque;
      if (plain_dir && same_meta(e.facts, *lower)) continue;
      c.opaque = e.opaque && lower->kind == Kind::dir;
    }
    out.push_back(c);
    if (c.opaque) add_hidden_lower(e.path, in_upper, baseline, out);
  }
  std::stable_sort(out.begin(), out.end(), [](const Change& a, const Change& b) { return a.path < b.path; });
  return out;
}

std::vector<Change> select_changes(const std::vector<Change>& changes,
                                   const std::vector<std::string>& paths) {
  if (paths.empty()) return changes;
  std::vector<Change> out;
  for (const auto& c : changes)
    for (const auto& p : paths)
      if (is_under(c.path, p)) {
        out.push_back(c);
        break;
      }
  return out;
}

CommitPlan plan_commit(const std::vector<Change>& changes, const Expected& expected, const HostLookup& host,
                       const HostScan& host_tree) {
  CommitPlan plan;
  std::vector<std::string> blocked;            // conflicted paths: what is under them waits too
  std::set<std::string> made_dirs;             // directories this plan creates
  std::map<uint64_t, std::string> first_link;  // upper inode -> the first path written for it
  for (const auto& c : changes) {
    auto conflict = [&](const std::string& reason) {
      plan.conflicts.push_back({c.path, reason});
      blocked.push_back(c.path);
    };
    bool under_blocked = false;
    for (const auto& b : blocked) under_blocked = under_blocked || is_under(c.path, b);
    if (under_blocked) {
      plan.conflicts.push_back({c.path, "a directory above it is in conflict"});
      continue;
    }
    std::string parent = parent_of(c.path);
    if (!made_dirs.count(parent)) {
      auto p = host(parent);
      if (!p || p->kind != Kind::dir) {
        conflict("parent directory " + (parent.empty() ? "(the root)" : parent) + " is gone from the host");
        continue;
      }
    }
    std::optional<FileFacts> now = host(c.path);
    if (!expected(c.path, now)) {
      conflict("changed on the host since the container was created (now " + describe(now) + ")");
      continue;
    }
    // Replacing or deleting a host directory takes what is under it: all of it must be as expected.
    bool takes_dir = now && now->kind == Kind::dir && (c.type == ChangeType::deleted || c.kind != Kind::dir);
    if (takes_dir) {
      std::string changed;
      for (const auto& [p, f] : host_tree(c.path))
        if (p != c.path && !expected(p, f)) changed = p;
      if (!changed.empty()) {
        conflict("deleting it would delete " + changed +
                 ", changed on the host since the container was created");
        continue;
      }
    }
    bool clear = now && (c.type == ChangeType::deleted || now->kind != c.kind || takes_dir);
    Step s{Step::Op::write_file, c.path, c.facts, c.link_target, clear};
    if (c.type == ChangeType::deleted) {
      // Also when already gone: a rerun after a crash finishes the removal of what was moved aside.
      plan.steps.push_back({Step::Op::remove, c.path, c.facts, "", true});
      plan.applied.push_back(c.path);
      continue;
    }
    switch (c.kind) {
      case Kind::dir:
        s.op = now && now->kind == Kind::dir ? Step::Op::set_meta : Step::Op::mkdir;
        made_dirs.insert(c.path);
        break;
      case Kind::symlink:
        s.op = Step::Op::symlink;
        break;
      case Kind::other:
        s.op = Step::Op::mkfifo;
        break;
      case Kind::file:
        if (c.nlink > 1) {
          auto [it, first] = first_link.emplace(c.facts.ino, c.path);
          if (!first) {
            s.op = Step::Op::hard_link;
            s.link = it->second;
          }
        }
        break;
    }
    plan.steps.push_back(s);
    plan.applied.push_back(c.path);
  }
  return plan;
}

}  // namespace agentrt::workspace
