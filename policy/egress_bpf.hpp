#pragma once
// bpf(2) side of the egress filter: the stats map made and pinned in bpffs, the programs of
// egress_program.hpp loaded and attached to the container's cgroup2 directory. Raw bpf() calls, no libbpf
// (not an allowed dependency, and agentrt links statically).
//
// The programs stay attached to the cgroup (BPF_F_ALLOW_MULTI: a sub-cgroup can add programs, never lift
// these) until the cgroup is removed; only the stats map is pinned, so `state` can read it with no process
// of agentrt's running. The floor denies bpf() inside the container, so it cannot detach them.
#include <string>

#include "policy/egress_plan.hpp"

namespace agentrt::policy {

constexpr const char* kBpffs = "/sys/fs/bpf";

// Where the stats map of the container `id` with this cgroup2 directory is pinned:
// /sys/fs/bpf/agentrt/<id>-<cgroup directory's inode>-stats (two state roots may use the same id).
std::string egress_pin_path(const std::string& id, const std::string& cgroup2_dir);

struct EgressAttachResult {
  bool task_info = true;  // pid and comm recorded (false: the kernel refused those helpers)
};

// Mounts bpffs at /sys/fs/bpf when nothing is mounted there, makes and pins the stats map at pin_path,
// loads the five programs and attaches them to cgroup2_dir. On failure the pin is removed again (programs
// attached before the failure go with the cgroup, which the caller removes).
EgressAttachResult attach_egress(const EgressPlan& plan, const std::string& cgroup2_dir,
                                 const std::string& pin_path);

// Removes the pin (idempotent): the map is freed once the cgroup's programs are gone too.
void remove_egress_pin(const std::string& pin_path);

}  // namespace agentrt::policy
