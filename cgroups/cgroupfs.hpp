#pragma once
// Direct cgroupfs access for what libcgroup does not cover: the v2 hierarchy (and the unified and
// named placement hierarchies on hybrid hosts), reading procs, and removal with EBUSY retries.
#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace agentrt::cgroups::cgroupfs {

// mkdir of each of dirs (outermost first; one that exists is fine); returns those it made. On failure it
// removes them again and throws.
std::vector<std::string> make_dirs(const std::vector<std::string>& dirs);
// Directories of root + path that do not exist yet, outermost first.
std::vector<std::string> missing_dirs(const std::string& root, const std::string& path);
// Removes what a container created: `created` (outermost first) ends with its own cgroup when create()
// made it. The own cgroup goes with any sub-cgroups made inside the container, retrying EBUSY for up to
// kBusyWait (a cgroup stays busy briefly after its last process exits, longer on a slow machine); then the
// parents it created, innermost first, each only if empty: a parent another container still uses stays.
// Missing is fine.
void remove_created(const std::vector<std::string>& created, const std::string& own);
// Removes the sub-cgroups of dir (not dir itself), deepest first.
void remove_children(const std::string& dir);
// How long a removal waits for a cgroup whose processes were just killed to stop being busy.
constexpr auto kBusyWait = std::chrono::seconds(5);
// rmdir with EBUSY retries; false when the directory is still busy after kBusyWait.
bool rmdir_retry(const std::string& dir);

bool is_dir(const std::string& path);
// Writes value to dir/file; 0 or errno.
int write(const std::string& dir, const std::string& file, const std::string& value);
// The pids in dir/cgroup.procs (and in every sub-cgroup when recursive).
std::vector<pid_t> read_procs(const std::string& dir, bool recursive);
void add_pid(const std::string& dir, pid_t pid);

}  // namespace agentrt::cgroups::cgroupfs
