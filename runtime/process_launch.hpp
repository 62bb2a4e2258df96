#pragma once
// The last steps before exec, shared by the container's init and `exec`'d processes.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "oci/spec.hpp"
#include "runtime/log.hpp"
#include "seccomp/filter.hpp"

namespace agentrt::runtime {

struct PreparedExec {
  std::string path;              // args[0] resolved against the process's PATH inside the container
  std::vector<std::string> env;  // with HOME added when missing
};

// Applies rlimits, umask, user and groups, capabilities, no_new_privs and the seccomp filter, ordered so
// every step is still permitted: the filter loads after no_new_privs when it is set, else while CAP_SYS_ADMIN
// is held. A notify listener fd is handed to on_listener (which sends it to the runtime).
// caller_unprivileged: the runtime runs with euid != 0 (plan_groups in credentials.hpp).
PreparedExec apply_process(const oci::Process& proc, const std::optional<seccomp::Program>& filter,
                           bool in_user_ns, bool caller_unprivileged, const Logger& log,
                           const std::function<void(int)>& on_listener);

// execve with the spec's argv; returns only on failure (errno set).
void exec_process_image(const PreparedExec& prepared, const std::vector<std::string>& args);

}  // namespace agentrt::runtime
