#pragma once
// Facts about a host process read from /proc/<pid>/stat.
#include <sys/types.h>

#include <optional>

namespace agentrt::runtime {

struct ProcStat {
  char state = '?';                   // R, S, D, Z, T, t, X ...
  unsigned long long start_time = 0;  // clock ticks after boot
};

// nullopt when the process does not exist.
std::optional<ProcStat> read_proc_stat(pid_t pid);

// True when pid exists, is not a zombie, and started at start_time (so a reused pid is not mistaken for it).
bool process_alive(pid_t pid, unsigned long long start_time);

}  // namespace agentrt::runtime
