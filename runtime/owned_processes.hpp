#pragma once
// Which processes in a container's cgroup are the container's. With its own pid namespace (or one it
// joined) the container owns the cgroup's processes in that namespace or one below it; without one the
// cgroup is the boundary (create took it new or empty). kill --all, delete -f and ps act on these only, so
// a host process put into the cgroup later is never signalled as the container's.
#include <sys/types.h>

#include <cstdint>
#include <vector>

#include "runtime/log.hpp"
#include "runtime/status.hpp"

namespace agentrt::runtime {

// A process in the cgroup: its pid namespace's inode, then the inodes of that namespace's ancestors.
struct Member {
  pid_t pid = 0;
  std::vector<uint64_t> pid_ns_chain;
};

struct Ownership {
  std::vector<pid_t> owned;
  std::vector<pid_t> foreign;
};

// container_pid_ns 0: the container has no pid namespace of its own, every member is its.
Ownership split_members(const std::vector<Member>& members, uint64_t container_pid_ns);

// The inode of pid's pid namespace; 0 when pid is gone.
uint64_t pid_ns_inode(pid_t pid);
// The namespace the container's init runs in, when it is not the runtime's own; 0 otherwise.
uint64_t container_pid_ns(pid_t init);

// The cgroup's processes (and its sub-cgroups'), split by owner; empty without a cgroup.
Ownership container_members(const Container& c);

// Sends sig to the container's processes. SIGKILL returns once none is left (a frozen cgroup is thawed).
// Processes that are not the container's are left alone, with a warning naming them.
void signal_container(const Container& c, int sig, const Logger& log);

}  // namespace agentrt::runtime
