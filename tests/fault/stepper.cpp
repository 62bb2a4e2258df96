#include "stepper.hpp"

#include <fcntl.h>
#include <linux/ptrace.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stdexcept>
#include <string>

// <sys/ptrace.h> and <linux/ptrace.h> clash; the few requests used are called through syscall(2).
namespace fault {

namespace {

long ptrace_call(long request, pid_t pid, unsigned long addr, unsigned long data) {
  return syscall(SYS_ptrace, request, pid, addr, data);
}

pid_t spawn_traced(const std::vector<std::string>& argv, const std::string& out_path) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    setpgid(0, 0);
    int in = open("/dev/null", O_RDONLY);
    int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (in < 0 || out < 0) _exit(126);
    dup2(in, 0);
    dup2(out, 1);
    dup2(out, 2);
    syscall(SYS_close_range, 3U, ~0U, 0U);
    if (ptrace_call(PTRACE_TRACEME, 0, 0, 0) < 0) _exit(125);
    raise(SIGSTOP);  // lets the tracer set its options before exec
    execv(args[0], args.data());
    _exit(127);
  }
  return pid;
}

int exit_code(int status) {
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace

StepOutcome run_stepped(const std::vector<std::string>& argv, long kill_at, const std::string& out_path) {
  pid_t pid = spawn_traced(argv, out_path);
  int status = 0;
  if (waitpid(pid, &status, 0) != pid || !WIFSTOPPED(status)) throw std::runtime_error("tracee did not stop");
  // EXITKILL: should this process die, so does the command. TRACEEXEC: the exec is an event stop, not a
  // SIGTRAP to pass on.
  ptrace_call(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL | PTRACE_O_TRACEEXEC);
  StepOutcome outcome;
  bool counting = false;  // from the exec of the command on (not the stepper's own child code)
  int pass_signal = 0;
  for (;;) {
    ptrace_call(PTRACE_SYSCALL, pid, 0, pass_signal);
    pass_signal = 0;
    if (waitpid(pid, &status, 0) != pid) throw std::runtime_error("waitpid on tracee failed");
    if (WIFEXITED(status) || WIFSIGNALED(status)) {
      outcome.exit_code = exit_code(status);
      return outcome;
    }
    int sig = WSTOPSIG(status);
    if (status >> 16 == PTRACE_EVENT_EXEC) {
      counting = true;
      continue;
    }
    if (sig != (SIGTRAP | 0x80)) {
      pass_signal = sig == SIGSTOP && !counting ? 0 : sig;
      continue;
    }
    ptrace_syscall_info info{};
    if (ptrace_call(PTRACE_GET_SYSCALL_INFO, pid, sizeof info, reinterpret_cast<unsigned long>(&info)) <= 0)
      throw std::runtime_error("PTRACE_GET_SYSCALL_INFO failed");
    if (!counting || info.op != PTRACE_SYSCALL_INFO_ENTRY) continue;
    ++outcome.syscalls;
    if (outcome.syscalls == kill_at) {
      outcome.killed = true;
      outcome.killed_in = std::to_string(info.entry.nr);
      kill(pid, SIGKILL);
      while (waitpid(pid, &status, 0) == pid && !(WIFEXITED(status) || WIFSIGNALED(status))) {
      }
      outcome.exit_code = exit_code(status);
      return outcome;
    }
  }
}

}  // namespace fault
