#pragma once
// Direct cgroupfs access for what libcgroup does not cover: the v2 hierarchy (and the unified and
// named placement hierarchies on hybrid hosts), reading procs, and removal with EBUSY retries.
#include <sys/types.h>

#include <string>
#include <vector>

namespace agentrt::cgroups::cgroupfs {

// mkdir -p of root + path; returns the directories it created, outermost first.
std::vector<std::string> mkdir_tracked(const std::string& root, const std::string& path);
// Directories of root + path that do not exist yet, outermost first.
std::vector<std::string> missing_dirs(const std::string& root, const std::string& path);
// rmdir of the given directories, innermost first, retrying EBUSY for about a second (a cgroup stays
// busy briefly after its last process exits). Missing directories are fine.
void remove_dirs(const std::vector<std::string>& created);
// Waits until dir is gone (for removals done by libcgroup); throws EBUSY naming dir after the timeout.
void wait_removed(const std::string& dir);

// Writes value to dir/file; 0 or errno.
int write(const std::string& dir, const std::string& file, const std::string& value);
// The pids in dir/cgroup.procs (and in every sub-cgroup when recursive).
std::vector<pid_t> read_procs(const std::string& dir, bool recursive);
void add_pid(const std::string& dir, pid_t pid);

}  // namespace agentrt::cgroups::cgroupfs
