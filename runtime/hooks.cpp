#include "runtime/hooks.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <optional>
#include <string>

#include "oci/support/error.hpp"
#include "oci/support/unique_fd.hpp"

namespace agentrt::runtime {
namespace {

using Clock = std::chrono::steady_clock;

// NULL-terminated char* view of a string vector for execve; valid while `v` lives.
std::vector<char*> c_array(const std::vector<std::string>& v) {
  std::vector<char*> out;
  out.reserve(v.size() + 1);
  for (const auto& s : v) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

class SpawnFileActions {
 public:
  SpawnFileActions() { posix_spawn_file_actions_init(&fa_); }
  ~SpawnFileActions() { posix_spawn_file_actions_destroy(&fa_); }
  SpawnFileActions(const SpawnFileActions&) = delete;
  SpawnFileActions& operator=(const SpawnFileActions&) = delete;
  posix_spawn_file_actions_t* get() { return &fa_; }

 private:
  posix_spawn_file_actions_t fa_;
};

class SpawnAttr {
 public:
  SpawnAttr() { posix_spawnattr_init(&attr_); }
  ~SpawnAttr() { posix_spawnattr_destroy(&attr_); }
  SpawnAttr(const SpawnAttr&) = delete;
  SpawnAttr& operator=(const SpawnAttr&) = delete;
  posix_spawnattr_t* get() { return &attr_; }

 private:
  posix_spawnattr_t attr_;
};

// Blocks SIGPIPE for this thread while writing to a hook that may never read; a SIGPIPE raised meanwhile is
// consumed (unless one was already pending) so the runtime is not killed by it later.
class SigpipeBlock {
 public:
  SigpipeBlock() {
    sigset_t pipe_set;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    sigset_t pending;
    sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE) == 1;
    pthread_sigmask(SIG_BLOCK, &pipe_set, &old_);
  }
  ~SigpipeBlock() {
    sigset_t pending;
    sigpending(&pending);
    if (!was_pending_ && sigismember(&pending, SIGPIPE) == 1) {
      sigset_t pipe_set;
      sigemptyset(&pipe_set);
      sigaddset(&pipe_set, SIGPIPE);
      const timespec zero{};
      sigtimedwait(&pipe_set, nullptr, &zero);
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  SigpipeBlock(const SigpipeBlock&) = delete;
  SigpipeBlock& operator=(const SigpipeBlock&) = delete;

 private:
  sigset_t old_;
  bool was_pending_ = false;
};

// Kills and reaps the child unless release()d, so a failure while waiting never leaves a hook running.
class ChildGuard {
 public:
  explicit ChildGuard(pid_t pid) : pid_(pid) {}
  ~ChildGuard() {
    if (pid_ <= 0) return;
    kill(pid_, SIGKILL);
    while (waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
    }
  }
  ChildGuard(const ChildGuard&) = delete;
  ChildGuard& operator=(const ChildGuard&) = delete;
  void release() { pid_ = -1; }

 private:
  pid_t pid_;
};

// Starts the hook with `stdin_fd` as its fd 0, every other fd above 2 closed, default signal dispositions and
// an empty signal mask (the runtime may block or ignore signals the hook expects).
pid_t spawn_hook(const oci::Hook& h, int stdin_fd) {
  SpawnFileActions fa;
  posix_spawn_file_actions_adddup2(fa.get(), stdin_fd, 0);
  posix_spawn_file_actions_addclosefrom_np(fa.get(), 3);
  SpawnAttr attr;
  sigset_t none;
  sigset_t all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(attr.get(), &none);
  posix_spawnattr_setsigdefault(attr.get(), &all);
  posix_spawnattr_setflags(attr.get(), POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  const std::vector<std::string> argv = h.args.empty() ? std::vector<std::string>{h.path} : h.args;
  auto c_argv = c_array(argv);
  auto c_env = c_array(h.env);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, h.path.c_str(), fa.get(), attr.get(), c_argv.data(), c_env.data());
  if (rc != 0) throw sys_error("spawn", rc);
  return pid;
}

std::string describe_status(int status) {
  if (WIFEXITED(status)) return "exit status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return std::string("killed by signal ") + strsignal(WTERMSIG(status));
  return "unexpected wait status " + std::to_string(status);
}

// Feeds `data` to the hook's stdin and waits for it to exit; returns the wait status or nullopt on timeout
// (the hook is then killed and reaped).
std::optional<int> feed_and_wait(pid_t pid, UniqueFd stdin_w, const std::string& data,
                                 std::optional<int> timeout) {
  ChildGuard guard(pid);
  UniqueFd pidfd(static_cast<int>(syscall(SYS_pidfd_open, pid, 0)));
  if (!pidfd) throw sys_error("pidfd_open");
  check_sys(fcntl(pidfd.get(), F_SETFD, FD_CLOEXEC), "set close-on-exec on pidfd");
  check_sys(fcntl(stdin_w.get(), F_SETFL, O_NONBLOCK), "set stdin pipe non-blocking");

  SigpipeBlock no_sigpipe;
  const auto deadline = Clock::now() + std::chrono::seconds(timeout.value_or(0));
  size_t written = 0;
  if (data.empty()) stdin_w.reset();
  for (;;) {
    int wait_ms = -1;
    if (timeout && *timeout > 0) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) return std::nullopt;  // guard kills and reaps
      wait_ms = static_cast<int>(left);
    }
    pollfd fds[2] = {{pidfd.get(), POLLIN, 0}, {stdin_w ? stdin_w.get() : -1, POLLOUT, 0}};
    const int n = poll(fds, 2, wait_ms);
    if (n < 0 && errno == EINTR) continue;
    check_sys(n, "poll hook");
    if (fds[1].revents != 0) {
      const ssize_t w = write(stdin_w.get(), data.data() + written, data.size() - written);
      if (w > 0) written += static_cast<size_t>(w);
      // A hook that exits or closes stdin without reading the state is not an error.
      if ((w < 0 && errno != EAGAIN && errno != EINTR) || written == data.size()) stdin_w.reset();
    }
    if (fds[0].revents != 0) break;
  }
  stdin_w.reset();
  int status = 0;
  pid_t r;
  while ((r = waitpid(pid, &status, 0)) < 0 && errno == EINTR) {
  }
  check_sys(r, "wait for hook");
  guard.release();
  return status;
}

}  // namespace

void run_hook(const oci::Hook& h, const std::string& state_json, const char* kind) {
  const std::string what = std::string(kind) + " hook " + h.path;
  try {
    int p[2];
    check_sys(pipe2(p, O_CLOEXEC), "pipe");
    UniqueFd stdin_r(p[0]);
    UniqueFd stdin_w(p[1]);
    const pid_t pid = spawn_hook(h, stdin_r.get());
    stdin_r.reset();
    const auto status = feed_and_wait(pid, std::move(stdin_w), state_json, h.timeout);
    if (!status) throw Error("timed out after " + std::to_string(*h.timeout) + "s");
    if (!WIFEXITED(*status) || WEXITSTATUS(*status) != 0) throw Error(describe_status(*status));
  } catch (const Error& e) {
    throw e.wrap(what);
  }
}

void run_hooks(const std::vector<oci::Hook>& hooks, const std::string& state_json, const char* kind,
               bool fail_fast, const Logger& log) {
  for (const auto& h : hooks) {
    try {
      run_hook(h, state_json, kind);
    } catch (const Error& e) {
      if (fail_fast) throw;
      log.warn(e.what());
    }
  }
}

}  // namespace agentrt::runtime
