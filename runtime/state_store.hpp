#pragma once
// The state store: one directory per container under the root (/run/agentrt/<id>/) holding state.json
// (written atomically, small: read by every command), config.json (the container's config, written once
// at create and by update; read only by exec and update), seccomp.bpf (the compiled filter, when there is
// one) and exec.fifo while the container is created. Commands on one container are serialised by an flock on
// its directory.
#include <sys/types.h>

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "oci/support/unique_fd.hpp"

namespace agentrt::runtime {

// How much of the config load_config returns.
enum class ConfigDetail {
  full,
  // Without linux.seccomp.syscalls: for exec, which installs the stored compiled program instead. The rules
  // are most of a Docker-style config (25 KB of its 27); not building them (nor hashing them for the cache)
  // measured 0.3 ms less CPU per exec.
  without_seccomp_rules,
};

// Where a record is in the container's life. creating: the intent, saved before any cgroup is made (with
// the cgroup directories create will make), until create commits; created: committed; deleting: delete
// has begun to stop the container. A record saved before phases existed reads as created.
enum class Phase { creating, created, deleting };
const char* to_string(Phase p);

// What agentrt remembers about a container between commands.
struct ContainerRecord {
  std::string id;
  std::string bundle;
  std::string rootfs;
  pid_t pid = 0;
  unsigned long long start_time = 0;  // /proc/<pid>/stat field 22: tells a reused pid apart
  std::string created;                // RFC 3339
  std::string owner;
  std::map<std::string, std::string> annotations;  // the config's, for the state document
  nlohmann::json hooks;                            // the config's "hooks" (start and delete run them)
  nlohmann::json cgroup;                           // cgroups::Manager::save()
  nlohmann::json agent_policy;
  bool systemd_cgroup = false;
  Phase phase = Phase::created;
  // The agentrt process creating or deleting while phase says so: alive means in progress, gone means
  // that command was killed half-way.
  pid_t runtime_pid = 0;
  unsigned long long runtime_start_time = 0;
  uint64_t pid_ns = 0;  // the init's pid namespace when not the runtime's own (owned_processes.hpp)
  // shared_mount_ns.hpp's SharedMountNs when the container runs in the caller's mount namespace; null else.
  nlohmann::json shared_mount_ns;
};

nlohmann::json to_json(const ContainerRecord& r);
ContainerRecord record_from_json(const nlohmann::json& j);

// runc's rule: ids are non-empty, made of [A-Za-z0-9_+.-], and not "." or "..".
void validate_container_id(const std::string& id);

class StateStore {
 public:
  explicit StateStore(std::string root) : root_(std::move(root)) {}
  const std::string& root() const { return root_; }
  std::string dir(const std::string& id) const { return root_ + "/" + id; }
  std::string fifo_path(const std::string& id) const { return dir(id) + "/exec.fifo"; }
  // The seccomp program the init installed (seccomp::cache_store format); exec installs it as it is.
  std::string seccomp_program_path(const std::string& id) const { return dir(id) + "/seccomp.bpf"; }

  // Creates <root>/<id> and locks it; throws "container with id exists: ID" when it is there already.
  // A directory removed or claimed by another process between the mkdir and the lock is never taken.
  UniqueFd create_locked(const std::string& id) const;
  // Locks an existing container directory without waiting; an empty fd when another process holds it.
  UniqueFd try_lock(const std::string& id) const;
  // Locks an existing container directory; throws "container does not exist" when absent.
  UniqueFd lock(const std::string& id) const;
  bool exists(const std::string& id) const;

  void save(const ContainerRecord& r) const;
  // Throws "container does not exist" when there is no state.json.
  ContainerRecord load(const std::string& id) const;
  // The config.json a container was created from (before the agent policy), as text or parsed.
  void save_config(const std::string& id, const std::string& text) const;
  nlohmann::json load_config(const std::string& id, ConfigDetail detail = ConfigDetail::full) const;
  // Removes the container directory and everything in it.
  void remove(const std::string& id) const;
  std::vector<std::string> list() const;

 private:
  std::string root_;
};

}  // namespace agentrt::runtime
