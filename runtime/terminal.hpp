#pragma once
// Container terminals. With process.terminal the container process gets a new pty as its controlling terminal
// and the master goes either to the engine (over --console-socket, SCM_RIGHTS) or to the runtime itself,
// which then bridges it to its own stdin/stdout.
#include <optional>

#include "oci/spec.hpp"

namespace agentrt::runtime {

// In the container init (or exec'd process), after pivot_root so the pty comes from the container's devpts:
// opens a new pty, applies `size`, sends the master over console_sock (payload: the slave path), makes the
// slave the controlling terminal of a new session and dup2s it onto 0, 1 and 2. The master is not kept.
void setup_container_console(int console_sock, const std::optional<oci::ConsoleSize>& size);

// For `run`/`exec -t` without --console-socket: copies stdin to master_fd and master_fd to stdout until the
// pty closes (every slave fd is gone). When stdin is a tty it is put in raw mode (restored on return), its
// window size is copied to the pty and SIGWINCH keeps it in sync. When stdin is not a tty, its end of file is
// passed on as the pty's EOF character.
void bridge_terminal(int master_fd);

}  // namespace agentrt::runtime
