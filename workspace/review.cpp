#include "workspace/review.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <set>

#include "oci/support/error.hpp"
#include "oci/support/fs.hpp"
#include "workspace/upper_scan.hpp"

namespace agentrt::workspace {

std::vector<MountChanges> workspace_changes(const Store& store, const Record& rec) {
  std::vector<MountChanges> out;
  for (const auto& m : rec.mounts)
    out.push_back({m, plan_diff(scan_upper(store.upper(rec.id, m)), store.load_baseline(rec.id, m))});
  return out;
}

std::map<size_t, std::vector<std::string>> split_paths(const Record& rec,
                                                       const std::vector<std::string>& paths) {
  std::map<size_t, std::vector<std::string>> out;
  if (paths.empty()) {
    for (size_t i = 0; i < rec.mounts.size(); ++i) out[i] = {};
    return out;
  }
  for (std::string p : paths) {
    while (p.size() > 1 && p.back() == '/') p.pop_back();
    size_t best = rec.mounts.size();
    for (size_t i = 0; i < rec.mounts.size(); ++i) {
      std::string dest = rec.mounts[i].destination;
      while (dest.size() > 1 && dest.back() == '/') dest.pop_back();
      bool under = p == dest ||
                   (p.size() > dest.size() && p.compare(0, dest.size(), dest) == 0 && p[dest.size()] == '/');
      if (under && (best == rec.mounts.size() || dest.size() > rec.mounts[best].destination.size())) best = i;
    }
    if (best == rec.mounts.size()) throw Error("path " + p + ": not under a workspace mount of " + rec.id);
    std::string dest = rec.mounts[best].destination;
    while (dest.size() > 1 && dest.back() == '/') dest.pop_back();
    std::string rel = p.size() > dest.size() ? p.substr(dest.size() + 1) : "";
    auto& list = out[best];
    list.push_back(rel);
  }
  return out;
}

std::string container_path(const MountRecord& m, const std::string& rel) {
  std::string dest = m.destination;
  while (dest.size() > 1 && dest.back() == '/') dest.pop_back();
  return rel.empty() ? dest : dest + "/" + rel;
}

nlohmann::json changes_json(const std::vector<MountChanges>& all) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& mc : all)
    for (const auto& c : mc.changes) {
      nlohmann::json j = {{"path", container_path(mc.mount, c.path)},
                          {"host_path", fs::join(mc.mount.source, c.path)},
                          {"change", to_string(c.type)},
                          {"kind", to_string(c.kind)}};
      if (c.type != ChangeType::deleted) {
        j["mode"] = c.facts.mode;
        j["uid"] = c.facts.uid;
        j["gid"] = c.facts.gid;
        if (c.kind == Kind::file) j["size"] = c.facts.size;
        if (c.kind == Kind::symlink) j["target"] = c.link_target;
        if (c.opaque) j["replaces_directory"] = true;
      }
      out.push_back(j);
    }
  return out;
}

size_t discard_mount(const Store& store, const std::string& id, const MountRecord& m,
                     const std::vector<std::string>& paths) {
  const std::string upper = store.upper(id, m);
  std::vector<UpperEntry> entries = scan_upper(upper);
  std::vector<Change> all = plan_diff(entries, store.load_baseline(id, m));
  std::vector<Change> selected = select_changes(all, paths);
  std::set<std::string> in_upper;
  for (const auto& e : entries) in_upper.insert(e.path);
  std::set<std::string> dropped;
  for (const auto& c : selected) dropped.insert(c.path);
  for (const auto& c : selected) {
    if (in_upper.count(c.path)) continue;
    // A lower entry hidden by a replaced (opaque) directory comes back only with that directory.
    std::string dir = c.path;
    while (!dir.empty() && !in_upper.count(dir))
      dir = dir.substr(0, dir.rfind('/') == std::string::npos ? 0 : dir.rfind('/'));
    if (dropped.count(dir)) continue;
    throw Error("discard " + container_path(m, c.path) + ": deleted with its replaced directory " +
                container_path(m, dir) + ": discard that directory instead");
  }
  for (const auto& c : selected) remove_tree(upper + "/" + c.path);
  // Directories that only held what was dropped (and no change of their own) go too.
  std::set<std::string> pending;
  for (const auto& c : all)
    if (!dropped.count(c.path)) pending.insert(c.path);
  for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
    if (it->path.empty() || it->facts.kind != Kind::dir || pending.count(it->path)) continue;
    std::string p = upper + "/" + it->path;
    if (::rmdir(p.c_str()) < 0 && errno != ENOTEMPTY && errno != ENOENT) throw sys_error("drop " + p);
  }
  return selected.size();
}

UniqueFd lock_workspace(const Store& store, const std::string& id) {
  std::string dir = store.dir(id);
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd) throw sys_error("workspace " + id + ": open " + dir);
  if (::flock(fd.get(), LOCK_EX | LOCK_NB) < 0) {
    if (errno == EWOULDBLOCK) throw Error("workspace " + id + ": another commit or discard holds it");
    throw sys_error("workspace " + id + ": lock " + dir);
  }
  return fd;
}

}  // namespace agentrt::workspace
