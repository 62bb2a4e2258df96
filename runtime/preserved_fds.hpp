#pragma once
// The fds a container inherits by number (LISTEN_FDS, then --preserve-fds, from fd 3). They must be the
// caller's: an fd number nobody passed would be filled by whatever the runtime opens next (its state dir and
// lock, the exec fifo, the sync socket, a cgroup directory), handing the container a host fd (the
// CVE-2024-21626 class).
#include <vector>

namespace agentrt::runtime {

// Checked at the CLI entry, before the runtime opens anything: preserve_fds is not negative and every fd in
// 3 .. 3+listen_fds+preserve_fds-1 is open and none of `runtime_fds` (the --log file). Throws an Error
// naming --preserve-fds (or LISTEN_FDS) and the first fd that fails, as runc does ("unable to stat
// preserved-fd 4 (of 10)").
void check_preserved_fds(int listen_fds, int preserve_fds, const std::vector<int>& runtime_fds);

// Throws if the runtime's own fd `fd` (described by `what`) lies in the preserved range 3 .. 3+count-1:
// the last line of defence before the init or exec child keeps that range open.
void require_outside_preserved(int fd, int count, const char* what);

}  // namespace agentrt::runtime
