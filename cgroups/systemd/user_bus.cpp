#include "cgroups/systemd/user_bus.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "oci/support/error.hpp"
#include "oci/support/fs.hpp"

namespace agentrt::cgroups::systemd {

std::string user_instance_socket(const char* xdg_runtime_dir) {
  if (!xdg_runtime_dir || !*xdg_runtime_dir) return "";
  return fs::join(fs::join(xdg_runtime_dir, "systemd"), "private");
}

std::string user_instance_unsupported(const std::string& system_socket, const std::string& access_error,
                                      const std::string& user_socket, bool user_socket_exists) {
  std::string where = user_socket.empty()
                          ? "$XDG_RUNTIME_DIR is not set"
                          : user_socket + (user_socket_exists ? " exists" : " does not exist either");
  return "--systemd-cgroup as non-root needs the user's systemd instance: not supported (systemd's system "
         "instance at " +
         system_socket + " is not usable by this caller: " + access_error +
         "; the user's instance: " + where +
         "); use --cgroup-manager cgroupfs (Podman: cgroup_manager = \"cgroupfs\")";
}

void require_system_instance(const std::string& system_socket) {
  // Anything but a refusal (say the socket is missing) is left to the connection, which reports it.
  if (::access(system_socket.c_str(), R_OK | W_OK) == 0 || (errno != EACCES && errno != EPERM)) return;
  std::string why = std::strerror(errno);
  std::string user_socket = user_instance_socket(std::getenv("XDG_RUNTIME_DIR"));
  bool exists = !user_socket.empty() && ::access(user_socket.c_str(), F_OK) == 0;
  throw Error(user_instance_unsupported(system_socket, why, user_socket, exists));
}

}  // namespace agentrt::cgroups::systemd
