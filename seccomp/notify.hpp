#pragma once
// SCMP_ACT_NOTIFY hand-off (runtime-spec config-linux "listenerPath"): the runtime connects to the unix
// socket at listenerPath and sends the containerProcessState JSON with the listener fd attached (SCM_RIGHTS).
#include <nlohmann/json.hpp>
#include <string>

namespace agentrt::seccomp {

// The containerProcessState message: {"ociVersion", "fds": ["seccompFd"], "pid", "metadata", "state"}.
// `state` is the container's state JSON (as `agentrt state` prints it).
nlohmann::json container_process_state(const std::string& oci_version, int pid, const std::string& metadata,
                                       const nlohmann::json& state);

// Sends the container process state to the listener socket with notify_fd attached (SCM_RIGHTS, as
// runtime-spec describes). Errors name the socket path.
void send_listener(const std::string& listener_path, int notify_fd,
                   const nlohmann::json& container_process_state);

}  // namespace agentrt::seccomp
