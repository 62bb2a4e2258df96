#pragma once
// Per-process settings applied in the container before exec: rlimits, oom score, sysctls, hostname, env.
#include <map>
#include <string>
#include <vector>

#include "oci/spec.hpp"

namespace agentrt::runtime {

void apply_rlimits(const std::vector<oci::Rlimit>& rlimits);
void apply_oom_score_adj(int value);
// Writes /proc/sys/<key with '.' as '/'>; call after pivot_root so it is the container's /proc.
void apply_sysctls(const std::map<std::string, std::string>& sysctl);
// linux.personality: LINUX or LINUX32 execution domain for the container process.
void apply_personality(const oci::Personality& p);
// process.ioPriority via ioprio_set(2) for the calling process.
void apply_io_priority(const oci::IoPriority& p);
// Binds the controlling terminal (fd 0) onto /dev/console, as runc does for terminal containers.
void bind_console();
void apply_hostname(const std::string& hostname, const std::string& domainname);
// The process environment: the spec's env plus HOME when it is missing (from /etc/passwd of the container,
// else "/"), as runc does.
std::vector<std::string> process_env(const oci::Process& p);
// Moves the calling (single-threaded) process into each v1 cgroup by writing "0" to its `tasks` file.
void join_own_cgroups(const std::vector<std::string>& tasks_files);
// Marks every fd >= first close-on-exec, so nothing of the runtime reaches the container (CVE-2024-21626).
void cloexec_from(int first);
// Closes every fd except those listed (the init drops the runtime's lock and other fds it inherited at
// clone).
void close_fds_except(std::vector<int> keep);

}  // namespace agentrt::runtime
