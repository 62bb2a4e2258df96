#pragma once
// --systemd-cgroup for a caller that cannot use systemd's system instance: a rootless runtime (an
// unprivileged user, or root of rootless Podman's user namespace) would have to ask the user's own
// instance (`systemd --user`, private socket $XDG_RUNTIME_DIR/systemd/private) for a transient unit, as runc
// does through the user's bus. agentrt's driver speaks to the system instance only, so such a caller is
// refused before anything is made, with an error naming what would be needed.
#include <string>

namespace agentrt::cgroups::systemd {

// Where the user's systemd instance listens: $XDG_RUNTIME_DIR/systemd/private ("" when xdg is unset).
std::string user_instance_socket(const char* xdg_runtime_dir);

// Pure: the refusal. access_error is why the system instance's socket cannot be used (strerror text),
// user_socket the user instance's socket ("" when unknown) and whether it exists.
std::string user_instance_unsupported(const std::string& system_socket, const std::string& access_error,
                                      const std::string& user_socket, bool user_socket_exists);

// Throws user_instance_unsupported(...) when this caller is refused the system instance's socket (access(2)
// for read and write fails with EACCES or EPERM); returns otherwise.
void require_system_instance(const std::string& system_socket);

}  // namespace agentrt::cgroups::systemd
