#pragma once
// The steps a container's creation shares between `create` and `restore` (which makes the container
// around a process criu restores instead of a new init).
#include <sys/types.h>

#include <optional>
#include <string>

#include "cgroups/manager.hpp"
#include "oci/spec.hpp"
#include "oci/support/unique_fd.hpp"
#include "runtime/container_config.hpp"
#include "runtime/container_egress.hpp"
#include "runtime/context.hpp"
#include "runtime/shared_mount_ns.hpp"
#include "runtime/state_store.hpp"

namespace agentrt::runtime {

// Undoes a half-made container unless committed: kills the init, unmounts what it mounted in our own mount
// namespace (profile off without one), removes the cgroup (with the egress programs attached to it), the
// egress stats map's pin and the state dir.
class CreateRollback {
 public:
  CreateRollback(const StateStore& store, std::string id) : store_(store), id_(std::move(id)) {}
  ~CreateRollback();
  CreateRollback(const CreateRollback&) = delete;
  CreateRollback& operator=(const CreateRollback&) = delete;
  void set_pid(pid_t pid) { pid_ = pid; }
  void set_cgroup(cgroups::Manager* m) { cgroup_ = m; }
  void set_shared_mount_ns(const SharedMountNs& shared) { shared_mount_ns_ = shared; }
  void set_egress_pin(const std::string& path) { egress_pin_ = path; }
  void commit() { committed_ = true; }

 private:
  const StateStore& store_;
  std::string id_;
  pid_t pid_ = -1;
  cgroups::Manager* cgroup_ = nullptr;
  std::optional<SharedMountNs> shared_mount_ns_;
  std::string egress_pin_;
  bool committed_ = false;
};

// The egress filter attached to the container's cgroup2 directory, the record (with the pin's path) saved
// before anything is made: a create killed half-way leaves delete what to remove.
// --debug logs how long the attach took.
void attach_egress_filter(const Context& ctx, ContainerEgress& egress, const cgroups::Manager* cgroup,
                          ContainerRecord& rec, CreateRollback& rollback);

std::string now_rfc3339();
// The owner shown by `list`, as runc names it: from the host's /etc/passwd, else the number.
std::string user_name(uid_t uid);
// The spec's device rules followed by the nodes every container needs (/dev/null, zero, tty, ptmx ...), as
// runc appends them: a spec that starts with "deny all" still gets a working /dev.
oci::Resources with_default_devices(const std::optional<oci::Resources>& r);
// The container's directory, made and locked. One that a create killed before committing left is
// cleaned first (its lock is free: its creator is gone).
UniqueFd claim_id(const Context& ctx, const std::string& id);
// linux.cgroupsPath as the user gave it, for errors about the cgroup it names.
std::string cgroups_path_field(const cgroups::Config& cfg);

// The record create and restore save before they make anything: the container's bundle, config facts and
// cgroup (as reserved), in phase creating while this process lives (a killed one leaves what to remove).
ContainerRecord new_container_record(const Context& ctx, const std::string& id, const ContainerConfig& cc,
                                     const cgroups::Manager* cgroup);
// The record once the init (created or restored) runs: its pid, start time and pid namespace, the cgroup as
// it is now (a systemd unit's is known only after its start), phase created. Throws when the init is gone.
void commit_container_record(ContainerRecord& rec, pid_t pid, const cgroups::Manager* cgroup);
// The state document the prestart and createRuntime hooks of a create or restore read.
std::string creating_state_json(const std::string& id, pid_t pid, const std::string& bundle,
                                const oci::Spec& spec);

}  // namespace agentrt::runtime
