#include "seccomp/notify.hpp"

#include "oci/support/error.hpp"
#include "oci/support/unique_fd.hpp"
#include "oci/support/unix_socket.hpp"

namespace agentrt::seccomp {

nlohmann::json container_process_state(const std::string& oci_version, int pid, const std::string& metadata,
                                       const nlohmann::json& state) {
  return nlohmann::json{{"ociVersion", oci_version},
                        {"fds", nlohmann::json::array({"seccompFd"})},
                        {"pid", pid},
                        {"metadata", metadata},
                        {"state", state}};
}

void send_listener(const std::string& listener_path, int notify_fd,
                   const nlohmann::json& container_process_state) {
  const std::string what = "send seccomp listener fd to " + listener_path;
  if (listener_path.empty()) throw Error(what + ": empty socket path");
  try {
    UniqueFd sock = connect_unix(listener_path);
    send_fd(sock.get(), notify_fd, container_process_state.dump());
  } catch (const Error& e) {
    throw e.wrap(what);
  }
}

}  // namespace agentrt::seccomp
