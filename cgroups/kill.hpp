#pragma once
// Signalling every process of a container cgroup.
#include <functional>
#include <string>

namespace agentrt::cgroups {

// Sends sig to every pid listed under dir (recursively). For SIGKILL, repeats until the cgroup is empty
// (processes forked meanwhile are caught by the next pass); throws if it is still populated after a few
// seconds. `around` (may be empty) is called with true before and false after each pass: v1 uses it
// to freeze the cgroup so nothing forks while being signalled.
void signal_all(const std::string& dir, int sig, const std::function<void(bool)>& around);
// v2 only: cgroup.kill when the kernel has it (5.14+); false when the file is missing.
bool cgroup_kill(const std::string& dir);
// Waits until dir has no processes left; throws after a few seconds.
void wait_empty(const std::string& dir);

}  // namespace agentrt::cgroups
