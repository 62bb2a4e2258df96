#pragma once
// Landlock system calls: the kernel's ABI, and a plan made the calling process's domain.
#include <vector>

#include "policy/landlock_plan.hpp"

namespace agentrt::policy {

// The kernel's Landlock ABI version; 0 when it has none (ENOSYS) or it is disabled (EOPNOTSUPP).
int landlock_abi();

// Restricts the calling process (and what it later forks and execs) to `plan`, resolving each rule's path
// in the current mount namespace and root. A path missing there gets no rule (nothing under it is allowed).
// extra_files are open fds (O_PATH is enough) of files the process itself must still write before it execs
// (the exec fifo), allowed read_file|write_file. Needs no_new_privs or CAP_SYS_ADMIN. Throws Error naming the
// step and path.
void apply_landlock(const LandlockPlan& plan, const std::vector<int>& extra_files);

}  // namespace agentrt::policy
