#pragma once
// Running the criu binary: finding it, `criu check`, and one dump or restore, with errors that name criu's
// log file and quote its last error lines.
#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

namespace agentrt::runtime::criu {

// The criu binary: the global --criu flag when given (a path or a name looked up in PATH), else "criu" in
// PATH. Throws "criu not found ..." naming what was looked for.
std::string find_criu(const std::string& flag);

// Runs `criu check` logging to work_dir/criu-check.log; throws, naming that log and quoting criu's error,
// when criu cannot run on this kernel.
void check_criu(const std::string& criu, const std::string& work_dir);

// Runs criu with args and waits for it. `placed` runs in this process with criu's pid before criu execs
// (to move it into the container's cgroup). keep_fds stay open in criu (inherited namespaces). With
// no_new_privs criu runs with it set, so every task it restores inherits it (criu 3.17 does not restore the
// flag itself; it cannot be set on another process). Throws, naming
// `what`, the log (log_path) and its last error lines, when criu fails.
void run_criu(const std::string& criu, const std::vector<std::string>& args, const std::string& what,
              const std::string& log_path, const std::vector<int>& keep_fds = {},
              const std::function<void(pid_t)>& placed = {}, bool no_new_privs = false);

// The last lines of a criu log that say Error, for messages ("" when none or no log).
std::string last_errors(const std::string& log_path, size_t max_lines = 3);

}  // namespace agentrt::runtime::criu
