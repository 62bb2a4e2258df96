#pragma once
// Waiting for a foreground container process (`run`, `exec`) the way runc does: signals the runtime receives
// are forwarded to it, and its wait status becomes the runtime's exit code.
#include <signal.h>
#include <sys/types.h>

namespace agentrt::runtime {

// SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1/2, SIGWINCH (forwarded) and SIGCHLD (to notice the exit). The
// caller blocks them before creating the process, so none is lost.
sigset_t forwarded_signals();
// Waits for pid, forwarding every signal of `set` but SIGCHLD; returns its wait status.
int wait_forwarding(pid_t pid, const sigset_t& set);
// The process's exit code, or 128 + signal when it was killed.
int exit_code(int wait_status);

}  // namespace agentrt::runtime
