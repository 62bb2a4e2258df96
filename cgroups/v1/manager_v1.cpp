#include "cgroups/v1/manager_v1.hpp"

#include <csignal>
#include <thread>

#include "cgroups/cgroupfs.hpp"
#include "cgroups/executor.hpp"
#include "cgroups/freezer.hpp"
#include "cgroups/kill.hpp"
#include "cgroups/libcg.hpp"
#include "cgroups/occupancy.hpp"
#include "cgroups/oom.hpp"
#include "cgroups/plan.hpp"
#include "cgroups/stats.hpp"
#include "oci/support/error.hpp"
#include "oci/support/fault_point.hpp"
#include "oci/support/fs.hpp"

namespace agentrt::cgroups {
namespace {

// The container's directory in one hierarchy.
struct Dir {
  std::string mountpoint;
  std::vector<std::string> controllers;  // empty for the cgroup2 placement directory
  std::string path;                      // inside the hierarchy
  std::vector<std::string> created;      // absolute, outermost first
  bool libcgroup = false;                // managed through libcgroup (real v1 controllers)

  std::string abs() const { return fs::join(mountpoint, path); }
  bool has(const std::string& c) const {
    for (const auto& x : controllers)
      if (x == c) return true;
    return false;
  }
};

void to_json(nlohmann::json& j, const Dir& d) {
  j = {{"mountpoint", d.mountpoint},
       {"controllers", d.controllers},
       {"path", d.path},
       {"created", d.created},
       {"libcgroup", d.libcgroup}};
}

void from_json(const nlohmann::json& j, Dir& d) {
  d.mountpoint = j.at("mountpoint").get<std::string>();
  d.controllers = j.at("controllers").get<std::vector<std::string>>();
  d.path = j.at("path").get<std::string>();
  d.created = j.value("created", std::vector<std::string>{});
  d.libcgroup = j.value("libcgroup", false);
}

// Relative path of a created directory inside its hierarchy, as libcgroup wants it.
std::string rel(const Dir& d, const std::string& abs) {
  return abs.substr(d.mountpoint.size());
}

// A new cpuset cgroup starts with empty cpus and mems, and no task can join it until they are set;
// libcgroup does not fill them, so copy them from the parent (top-down), as runc does.
void init_cpuset(const std::vector<std::string>& created) {
  for (const auto& d : created) {
    std::string parent = d.substr(0, d.rfind('/'));
    for (const char* f : {"cpuset.cpus", "cpuset.mems"}) {
      if (!fs::trim(fs::read_file(fs::join(d, f))).empty()) continue;
      std::string v = fs::trim(fs::read_file(fs::join(parent, f)));
      int err = cgroupfs::write(d, f, v);
      if (err != 0) throw sys_error("write " + fs::join(d, f), err);
    }
  }
}

class LibcgWriter : public Writer {
 public:
  LibcgWriter(const std::vector<Dir>& dirs, LibCgroup& lib) : dirs_(dirs), lib_(lib) {}
  const Dir* find(const std::string& c) const {
    for (const auto& d : dirs_)
      if (d.has(c)) return &d;
    return nullptr;
  }
  bool has_controller(const std::string& c) const override { return find(c) != nullptr; }
  int write(const std::string& c, const std::string& file, const std::string& value) override {
    const Dir* d = find(c);
    return lib_.set(d->path, c, file, value);
  }
  std::string path_of(const std::string& c, const std::string& file) const override {
    const Dir* d = find(c);
    return d ? fs::join(d->abs(), file) : "no " + c + " hierarchy is mounted";
  }

 private:
  const std::vector<Dir>& dirs_;
  LibCgroup& lib_;
};

class V1Manager : public Manager {
 public:
  V1Manager(Layout layout, std::vector<Dir> dirs) : layout_(layout), dirs_(std::move(dirs)) {}

  Layout layout() const override { return layout_; }

  void reserve() override {
    if (reserved_) return;
    for (auto& d : dirs_) {
      d.created = cgroupfs::missing_dirs(d.mountpoint, d.path);
      if (d.created.empty()) check_takeable(d.path, d.abs());
    }
    reserved_ = true;
  }

  void create() override {
    reserve();
    try {
      for (auto& group : libcgroup_groups()) create_group(group);
      for (auto& d : dirs_)
        if (!d.libcgroup) cgroupfs::make_dirs(d.created);
    } catch (...) {
      try {
        destroy();
      } catch (const Error&) {
      }
      throw;
    }
  }

  void add_process(pid_t pid) override {
    for (const auto& group : libcgroup_groups()) lib_.attach(group.front()->path, controllers_of(group), pid);
    for (const auto& d : dirs_)
      if (!d.libcgroup) cgroupfs::add_pid(d.abs(), pid);
  }

  std::string clone_into_dir() const override {
    for (const auto& d : dirs_)
      if (d.controllers.empty()) return d.abs();
    return "";
  }

  std::vector<std::string> self_join_files() const override {
    std::vector<std::string> files;
    for (const auto& d : dirs_)
      if (!d.controllers.empty()) files.push_back(fs::join(d.abs(), "tasks"));
    return files;
  }

  void apply(const oci::Resources& r) override {
    Plan plan = plan_v1(r);
    LibcgWriter w(dirs_, lib_);
    execute(plan.writes, w);
    warnings_ = plan.warnings;
  }

  std::vector<std::string> warnings() const override { return warnings_; }
  void freeze() override { freeze_v1(need("freezer").abs(), true); }
  void thaw() override { freeze_v1(need("freezer").abs(), false); }
  bool frozen() const override {
    const Dir* d = find("freezer");
    return d && fs::exists(d->abs()) && is_frozen_v1(d->abs());
  }

  void kill_all(int sig) override {
    const Dir* fz = find("freezer");
    std::function<void(bool)> around;
    // For SIGKILL, freeze while signalling so nothing can fork a child the pass would miss, then thaw:
    // a v1-frozen task only dies once thawed, so this also kills a paused container (runc does the same).
    if (sig == SIGKILL && fz)
      around = [dir = fz->abs()](bool before) {
        freeze_v1(dir, before);
        if (before) fault_point("cgroup-kill:frozen");
      };
    signal_all(procs_dir(), sig, around);
  }

  std::vector<pid_t> pids() const override { return cgroupfs::read_procs(procs_dir(), true); }

  nlohmann::json stats() const override {
    std::map<std::string, std::string> dirs;
    for (const auto& d : dirs_)
      for (const auto& c : d.controllers) dirs[c] = d.abs();
    return stats_v1(dirs);
  }

  std::unique_ptr<OomWatcher> watch_oom() const override {
    const Dir* d = find("memory");
    return d ? watch_oom_v1(d->abs()) : nullptr;
  }

  void destroy() override {
    std::optional<Error> first;
    for (auto& d : dirs_) {
      try {
        remove_dir(d);
      } catch (const Error& e) {
        if (!first) first = e;
      }
    }
    if (first) throw *first;
  }

  std::string path() const override {
    const Dir* d = find("memory");
    return d ? d->path : dirs_.empty() ? "" : dirs_.front().path;
  }

  nlohmann::json save() const override { return {{"layout", to_string(layout_)}, {"dirs", dirs_}}; }

 private:
  const Dir* find(const std::string& c) const {
    for (const auto& d : dirs_)
      if (d.has(c)) return &d;
    return nullptr;
  }
  const Dir& need(const std::string& c) const {
    const Dir* d = find(c);
    if (!d) throw Error("cgroup controller " + c + " is not mounted");
    return *d;
  }
  // The hierarchy whose cgroup.procs lists the container's processes.
  std::string procs_dir() const {
    for (const char* c : {"pids", "freezer", "memory"})
      if (const Dir* d = find(c)) return d->abs();
    if (dirs_.empty()) throw Error("no cgroup hierarchy is mounted");
    return dirs_.front().abs();
  }

  // libcgroup hierarchies that share a path (all of them unless cgroupsPath is relative and the caller
  // sits in different cgroups per hierarchy): one libcgroup call per group instead of one per hierarchy.
  std::vector<std::vector<Dir*>> libcgroup_groups() {
    std::vector<std::vector<Dir*>> groups;
    for (auto& d : dirs_) {
      if (!d.libcgroup) continue;
      bool placed = false;
      for (auto& g : groups)
        if (!placed && g.front()->path == d.path) {
          g.push_back(&d);
          placed = true;
        }
      if (!placed) groups.push_back({&d});
    }
    return groups;
  }

  static std::vector<std::string> controllers_of(const std::vector<Dir*>& group) {
    std::vector<std::string> out;
    for (const Dir* d : group) out.insert(out.end(), d->controllers.begin(), d->controllers.end());
    return out;
  }

  void create_group(std::vector<Dir*>& group) {
    lib_.create(group.front()->path, controllers_of(group));
    for (Dir* d : group) {
      if (!d->has("cpuset")) continue;
      // An empty cgroup taken as it is may still lack cpus and mems (made by hand, or by a killed create).
      init_cpuset(d->created.empty() ? std::vector<std::string>{d->abs()} : d->created);
    }
  }

  void remove_dir(Dir& d) {
    std::string own = d.abs();
    if (!d.libcgroup) {
      cgroupfs::remove_created(d.created, own);
      return;
    }
    for (auto it = d.created.rbegin(); it != d.created.rend(); ++it) {
      if (*it != own) {
        // A parent it created: removed only when empty (another container may use it).
        if (fs::exists(*it)) lib_.remove_if_empty(rel(d, *it), d.controllers);
        if (fs::exists(*it)) return;
        continue;
      }
      // Reserved by a create stopped before making it; or a path through a cgroup's own file
      // ("/x/cgroup.procs").
      if (!cgroupfs::is_dir(own)) continue;
      // Usually it is empty: sub-cgroups (made inside the container) are listed only when it stays.
      lib_.remove_if_empty(rel(d, own), d.controllers);
      if (!fs::exists(own)) continue;
      cgroupfs::remove_children(own);
      // libcgroup reports success for a directory it could not remove (still busy): check and retry.
      const auto deadline = std::chrono::steady_clock::now() + cgroupfs::kBusyWait;
      for (int attempt = 0; fs::exists(own); ++attempt) {
        if (std::chrono::steady_clock::now() >= deadline) throw sys_error("remove cgroup " + own, EBUSY);
        if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
        lib_.remove_if_empty(rel(d, own), d.controllers);
      }
    }
  }

  Layout layout_;
  std::vector<Dir> dirs_;
  bool reserved_ = false;
  std::vector<std::string> warnings_;
  LibCgroup lib_;
};

bool is_named(const Hierarchy& h) {
  return h.controllers.size() == 1 && h.controllers[0].rfind("name=", 0) == 0;
}

std::string own_path(const std::map<std::string, std::string>& own, const std::string& key) {
  auto it = own.find(key);
  return it == own.end() ? "/" : it->second;
}

}  // namespace

std::unique_ptr<Manager> make_v1_manager(Layout layout, const MountTable& mounts,
                                         const std::map<std::string, std::string>& own,
                                         const std::string& inner) {
  std::vector<Dir> dirs;
  for (const auto& h : mounts.v1) {
    Dir d;
    d.mountpoint = h.mountpoint;
    d.controllers = h.controllers;
    d.path = nest_path(own_path(own, h.controllers.front()), inner);
    d.libcgroup = !is_named(h);
    // Combined mounts (cpu,cpuacct) can appear under several names; keep one directory per hierarchy.
    bool dup = false;
    for (const auto& e : dirs) dup = dup || e.controllers == d.controllers;
    if (!dup) dirs.push_back(std::move(d));
  }
  if (layout == Layout::hybrid && !mounts.unified.empty()) {
    Dir d;
    d.mountpoint = mounts.unified;
    d.path = nest_path(own_path(own, ""), inner);
    dirs.push_back(std::move(d));
  }
  return std::make_unique<V1Manager>(layout, std::move(dirs));
}

std::unique_ptr<Manager> load_v1_manager(const nlohmann::json& saved) {
  std::string l = saved.at("layout").get<std::string>();
  Layout layout = l == "hybrid" ? Layout::hybrid : Layout::legacy;
  return std::make_unique<V1Manager>(layout, saved.at("dirs").get<std::vector<Dir>>());
}

}  // namespace agentrt::cgroups
