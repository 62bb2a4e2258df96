#pragma once
// checkpoint and restore of a container with CRIU (criu_plan.hpp says how each flag maps to criu).
#include <string>

#include "runtime/context.hpp"
#include "runtime/criu_plan.hpp"

namespace agentrt::runtime {

// Dumps the running container id into opts.image_path. Unless leave_running or pre_dump, the container's
// processes are gone afterwards and the container is deleted (its cgroup and state), as runc does. On
// failure the container runs on untouched and criu's log stays in the work directory.
void checkpoint_container(const Context& ctx, const std::string& id, const criu::CheckpointOptions& opts);

struct RestoreRequest {
  std::string id;
  std::string bundle;  // empty: the current directory
  std::string pid_file;
  std::string console_socket;
  bool detach = false;
  criu::RestoreOptions criu;
};

// Makes container id from the bundle around the processes restored from the checkpoint: its cgroup (criu
// runs in it), its state record with the restored init's pid. Fails, leaving nothing behind, when the
// restored init has less confinement than it had at checkpoint (criu_policy.hpp). Returns 0 when detached,
// else waits for the init and returns its exit code (128+signal), then deletes the container.
int restore_container(const Context& ctx, const RestoreRequest& req);

}  // namespace agentrt::runtime
