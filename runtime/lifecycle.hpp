#pragma once
// The lifecycle operations behind the CLI commands. Each takes the container lock for its whole duration.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "runtime/context.hpp"
#include "runtime/create.hpp"

namespace agentrt::runtime {

// Releases the init blocked on the exec fifo; runs poststart hooks.
void start_container(const Context& ctx, const std::string& id);
// runc's `state` JSON (runtime-spec state plus rootfs, created, owner, and agentrt's agent policy record).
nlohmann::json container_state_json(const Context& ctx, const std::string& id);
void kill_container(const Context& ctx, const std::string& id, int signal, bool all);
void delete_container(const Context& ctx, const std::string& id, bool force);
// With the container's lock held: removes what a create killed before it committed left of id (its
// processes, cgroups and state directory) and returns true; false when id is a container.
bool remove_interrupted_create(const Context& ctx, const std::string& id);
// One entry per container, for `list`.
std::vector<nlohmann::json> list_containers(const Context& ctx);

struct RunOptions {
  CreateOptions create;
  bool detach = false;
  bool keep = false;  // --keep: do not delete after exit
};
// create + start (+ wait, + delete). Returns the container process's exit code (128+signal when killed), or 0
// when detached.
int run_container(const Context& ctx, const RunOptions& opts);

// Parses "KILL", "SIGKILL", "9" -> 9; throws `invalid signal: X` otherwise.
int parse_signal(const std::string& s);

}  // namespace agentrt::runtime
