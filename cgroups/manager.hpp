#pragma once
// The one cgroup interface the runtime uses. Implementations: v2 (unified) and v1 (legacy and hybrid).
// A Manager owns the cgroup(s) of one container; destroy() removes only directories this container created.
#include <sys/types.h>

#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "oci/spec.hpp"

namespace agentrt::cgroups {

enum class Layout { unified, hybrid, legacy };
Layout detect_layout();
const char* to_string(Layout l);

struct Config {
  std::string id;            // container id, for runc's default path and systemd unit names
  std::string cgroups_path;  // linux.cgroupsPath as given (may be empty)
  bool systemd = false;      // --systemd-cgroup
  // The spec's annotations: the systemd driver sends org.systemd.property.* ones as unit properties.
  std::map<std::string, std::string> annotations{};
};

// New OOM kills of a container, for `events`: poll fd() for POLLIN, then call consume().
class OomWatcher {
 public:
  virtual ~OomWatcher() = default;
  virtual int fd() const = 0;
  // The number of OOM kills since the previous call (or since the watcher was made). Never blocks.
  virtual uint64_t consume() = 0;
};

class Manager {
 public:
  virtual ~Manager() = default;
  virtual Layout layout() const = 0;
  // Checks that the container may take its cgroup(s): none may be a hierarchy's root or already hold
  // processes, in it or its sub-cgroups (occupancy.hpp). Then records which directories create() will make,
  // so that save() names them before they exist: a create killed half-way leaves a record of what to
  // remove. Makes nothing; create() calls it when it was not called yet.
  virtual void reserve() = 0;
  // Creates the cgroup directories reserve() listed (a failed create removes them again). On v2 it enables
  // the available controllers in the parents' subtree_control.
  virtual void create() = 0;
  // Moves pid into the container's cgroup(s). On v1 libcgroup moves the thread named by pid (it writes
  // `tasks`), so call it before the process starts threads, as for a container's init or exec child.
  virtual void add_process(pid_t pid) = 0;
  // Placement of a process being created without paying for a migration: the cgroup2 directory a clone3
  // CLONE_INTO_CGROUP can start it in (empty when there is none), and the v1 `tasks` files into which the
  // new, still single-threaded process writes "0" to move itself. A self-move of one thread skips the
  // kernel's global threadgroup lock, whose RCU grace period costs a write to cgroup.procs 5-15 ms.
  virtual std::string clone_into_dir() const = 0;
  virtual std::vector<std::string> self_join_files() const = 0;
  // Writes linux.resources; also used by `update` with a partial Resources (unset fields are not
  // written). A value the kernel rejects throws an Error naming the resource and the file.
  virtual void apply(const oci::Resources& r) = 0;
  // Settings the last apply() accepted but ignored (kernel memory, v1-only knobs on v2), for the log.
  virtual std::vector<std::string> warnings() const = 0;
  // pause / resume: both wait until the kernel reports the new state.
  virtual void freeze() = 0;
  virtual void thaw() = 0;
  virtual bool frozen() const = 0;  // false once the cgroup is gone
  // Signals every process in the cgroup and its sub-cgroups. SIGKILL returns only once the cgroup is
  // empty (v2: cgroup.kill when present; v1: freeze, signal, thaw, so a paused container dies too).
  virtual void kill_all(int sig) = 0;
  // Every pid in the cgroup and its sub-cgroups (`ps`); empty when the cgroup is gone.
  virtual std::vector<pid_t> pids() const = 0;
  virtual nlohmann::json stats() const = 0;  // runc's `events --stats` "data" object (stats.hpp)
  // nullptr when the cgroup has no memory controller (nothing to watch).
  virtual std::unique_ptr<OomWatcher> watch_oom() const = 0;
  // Removes the cgroup(s) this container created, with any sub-cgroups made inside it; waits briefly for
  // the cgroup to become removable (it does not kill: call kill_all(SIGKILL) first). Parents it created
  // are removed only when empty. Idempotent.
  virtual void destroy() = 0;
  // Path of the container's cgroup as seen in /proc/<pid>/cgroup (for state and `ps`).
  virtual std::string path() const = 0;
  // What must be saved in the state store to reopen this manager later (load_manager).
  virtual nlohmann::json save() const = 0;
};

std::unique_ptr<Manager> create_manager(const Config& cfg);
std::unique_ptr<Manager> load_manager(const nlohmann::json& saved);

}  // namespace agentrt::cgroups
