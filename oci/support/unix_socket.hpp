#pragma once
// Unix socket helpers: connecting to console sockets (whose paths may exceed sun_path) and passing fds with
// SCM_RIGHTS, as containerd, conmon and runc expect (one fd per message, the payload is the fd's name).
#include <string>

#include "oci/support/unique_fd.hpp"

namespace agentrt {

// Connects a SOCK_STREAM socket (close-on-exec) to `path`. A path too long for sun_path is reached through
// /proc/self/fd/N/<name>, N being an O_PATH fd of its directory.
UniqueFd connect_unix(const std::string& path);

// Sends `fd` over `sock` with SCM_RIGHTS; `name` is the message payload (for a console, the pty slave path).
void send_fd(int sock, int fd, const std::string& name);

// Receives one fd (close-on-exec) sent by send_fd or any SCM_RIGHTS sender; stores the payload in *name if
// given.
UniqueFd recv_fd(int sock, std::string* name = nullptr);
// As recv_fd, but an orderly close by the peer before any message returns an empty UniqueFd.
UniqueFd recv_fd_or_eof(int sock, std::string* name = nullptr);

}  // namespace agentrt
