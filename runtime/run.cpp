#include <signal.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "oci/support/error.hpp"
#include "oci/support/unix_socket.hpp"
#include "runtime/lifecycle.hpp"
#include "runtime/process_wait.hpp"
#include "runtime/terminal.hpp"

namespace agentrt::runtime {

int run_container(const Context& ctx, const RunOptions& opts) {
  CreateOptions create = opts.create;
  UniqueFd console_ours, console_theirs;
  if (!opts.detach && create.console_socket.empty()) {
    // With a terminal and nobody to hand the pty to, the runtime bridges it itself.
    int sp[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0) throw sys_error("socketpair");
    console_ours.reset(sp[0]);
    console_theirs.reset(sp[1]);
    create.console_fd = console_theirs.get();
  }
  sigset_t set = forwarded_signals(), old;
  if (!opts.detach) ::sigprocmask(SIG_BLOCK, &set, &old);
  pid_t pid = create_container(ctx, create);
  console_theirs.reset();
  try {
    start_container(ctx, create.id);
  } catch (...) {
    // A run whose start failed must not leave a created container behind, detached or not.
    try {
      delete_container(ctx, create.id, true);
    } catch (...) {
    }
    ::waitpid(pid, nullptr, 0);  // the init is our child in both modes
    throw;
  }
  if (opts.detach) return 0;

  int status;
  UniqueFd master;
  if (console_ours) {
    // Only a terminal container sends a pty master; otherwise the peer end is simply closed.
    master = recv_fd_or_eof(console_ours.get());
  }
  if (master) {
    bridge_terminal(master.get());
    master.reset();
    if (::waitpid(pid, &status, 0) < 0) throw sys_error("wait for container process");
  } else {
    status = wait_forwarding(pid, set);
  }
  ::sigprocmask(SIG_SETMASK, &old, nullptr);
  if (!opts.keep) delete_container(ctx, create.id, true);
  return exit_code(status);
}

}  // namespace agentrt::runtime
