#pragma once
// The workspace store: one directory per container, kept after the container is deleted until its changes
// are committed or discarded.
//   <store>/<id>/format           "agentrt-workspace 1": the layout version, checked before anything is read
//   <store>/<id>/reserve          1 MiB set aside at create and freed by a commit: room for its journal and
//                                  baseline when the agent filled the store (optional: older stores lack it)
//   <store>/<id>/workspace.json   container id, creation time, and per mount: destination, host source, dir
//   <store>/<id>/<dir>/upper      the overlay's upper layer: the container's changes
//   <store>/<id>/<dir>/work       the overlay's work directory
//   <store>/<id>/<dir>/baseline.json  the host directory's files (FileFacts) when the container was created
//   <store>/<id>/<dir>/journal    steps of a commit in progress (JSON lines), folded into the baseline at its
//   end
#include <string>
#include <vector>

#include "workspace/facts.hpp"

namespace agentrt::workspace {

inline constexpr const char* kFormat = "agentrt-workspace 1";

struct MountRecord {
  std::string destination;  // in the container
  std::string source;       // host directory
  std::string dir;          // under the store directory
};

struct Record {
  std::string id;
  std::string created;
  // The runtime's state directory (--root) at create: where `workspace commit` asks whether the container
  // still has its overlay mounted, whatever --root it is given itself (Docker's shim passes its own).
  // Empty in stores made before it was recorded.
  std::string state_root;
  std::vector<MountRecord> mounts;
};

class Store {
 public:
  explicit Store(std::string root) : root_(std::move(root)) {}
  const std::string& root() const { return root_; }
  std::string dir(const std::string& id) const { return root_ + "/" + id; }
  std::string mount_dir(const std::string& id, const MountRecord& m) const { return dir(id) + "/" + m.dir; }
  std::string upper(const std::string& id, const MountRecord& m) const { return mount_dir(id, m) + "/upper"; }
  std::string work(const std::string& id, const MountRecord& m) const { return mount_dir(id, m) + "/work"; }
  std::string baseline_path(const std::string& id, const MountRecord& m) const {
    return mount_dir(id, m) + "/baseline.json";
  }
  std::string journal_path(const std::string& id, const MountRecord& m) const {
    return mount_dir(id, m) + "/journal";
  }

  bool exists(const std::string& id) const;
  // Throws naming the id when there is no workspace, or its format file names another layout.
  Record load(const std::string& id) const;
  void save(const Record& r) const;  // writes the format file first
  std::vector<std::string> list() const;

  Tree load_baseline(const std::string& id, const MountRecord& m) const;
  void save_baseline(const std::string& id, const MountRecord& m, const Tree& t) const;

  // The space a commit needs on a store the agent filled: made at create, released as a commit starts and
  // made again after it (best effort: false when there is no room for it now).
  static constexpr off_t kReserveBytes = 1 << 20;
  void make_reserve(const std::string& id) const;
  bool try_make_reserve(const std::string& id) const;
  void release_reserve(const std::string& id) const;

  // Removes <store>/<id> and everything in it.
  void remove(const std::string& id) const;

 private:
  std::string root_;
};

// rm -rf of one path (not following symlinks); nothing there is fine.
void remove_tree(const std::string& path);

}  // namespace agentrt::workspace
