#pragma once
// Runs a command under ptrace and SIGKILLs it at the entry of its Nth system call: the command dies exactly
// "between two steps", at every step in turn, without timing. Only the command's own process is traced (the
// processes it forks run freely, as they would when the command is killed for real).
#include <string>
#include <vector>

namespace fault {

struct StepOutcome {
  long syscalls = 0;      // syscall entries seen (when killed: the one it was killed at)
  bool killed = false;    // true when it was SIGKILLed at kill_at
  int exit_code = -1;     // when it exited by itself: its exit code (128+N for a signal)
  std::string killed_in;  // the syscall number it was stopped at, for the report
};

// kill_at = 0: run to the end and count. stdout/stderr of the command go to out_path.
StepOutcome run_stepped(const std::vector<std::string>& argv, long kill_at, const std::string& out_path);

}  // namespace fault
