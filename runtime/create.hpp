#pragma once
#include <sys/types.h>

#include <string>

#include "runtime/context.hpp"

namespace agentrt::runtime {

struct CreateOptions {
  std::string id;
  std::string bundle;  // empty: the current directory
  std::string pid_file;
  std::string console_socket;
  int console_fd = -1;  // `run` with a terminal and no --console-socket: our end of an internal socketpair
  bool no_pivot = false;
  bool no_new_keyring = false;
  int preserve_fds = 0;
  // Socket activation: LISTEN_FDS fds from 3 are passed on before the --preserve-fds ones, and the process
  // gets LISTEN_FDS=n and LISTEN_PID=1, as runc does.
  int listen_fds = 0;
};

// Creates the container and leaves its init waiting on the exec fifo. Returns the init's host pid.
// On any failure nothing is left behind: no state dir, cgroup, process or fd.
pid_t create_container(const Context& ctx, const CreateOptions& opts);

}  // namespace agentrt::runtime
