#include "process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>

#include "text.hpp"
#include "wait.hpp"

namespace itest {

namespace {

// Forks argv in a new process group: stdin from in_path (empty: /dev/null), stdout and stderr to the files,
// opts.fds at their numbers, every other fd closed unless opts.keep_extra_fds_open.
pid_t spawn(const std::vector<std::string>& argv, const RunOptions& opts, const std::string& in_path,
            const stdfs::path& out_path, const stdfs::path& err_path) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    setpgid(0, 0);
    int in = open(in_path.empty() ? "/dev/null" : in_path.c_str(), O_RDONLY);
    int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (in < 0 || out < 0 || err < 0) _exit(126);
    // Move the passed fds out of the way first so dup2 onto low numbers cannot clobber them.
    std::vector<std::pair<int, int>> moved;
    for (auto [src, dst] : opts.fds) moved.push_back({fcntl(src, F_DUPFD_CLOEXEC, 100), dst});
    dup2(in, 0);
    dup2(out, 1);
    dup2(err, 2);
    int highest = 2;
    for (auto [src, dst] : moved) {
      dup2(src, dst);
      highest = std::max(highest, dst);
    }
    if (!opts.keep_extra_fds_open) syscall(SYS_close_range, unsigned(highest + 1), ~0U, 0U);
    for (const auto& [k, v] : opts.env)
      setenv(k.c_str(), v == kSelfPid ? std::to_string(getpid()).c_str() : v.c_str(), 1);
    execv(args[0], args.data());
    _exit(127);
  }
  return pid;
}

// The exit code (128+N for signal N) once pid exits within timeout_s; std::nullopt while it runs.
std::optional<int> wait_exit(pid_t pid, double timeout_s) {
  int status = 0;
  pid_t r = 0;
  bool done = eventually(
      [&] {
        r = waitpid(pid, &status, WNOHANG);
        return r != 0;
      },
      timeout_s, std::chrono::milliseconds(5));
  if (!done) return std::nullopt;
  if (r != pid) return -1;
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

void kill_group(pid_t pid) {
  kill(-pid, SIGKILL);
  waitpid(pid, nullptr, 0);
}

}  // namespace

Result execute_to(const std::vector<std::string>& argv, const stdfs::path& out_path,
                  const stdfs::path& err_path, const RunOptions& opts) {
  std::string in_path;
  if (!opts.input.empty()) {
    in_path = out_path.string() + ".in";
    write_text(in_path, opts.input);
  }
  pid_t pid = spawn(argv, opts, in_path, out_path, err_path);
  auto code = wait_exit(pid, opts.timeout_s);
  if (!code) kill_group(pid);
  Result r;
  r.code = code.value_or(-1);
  r.out = read_text(out_path);
  r.err = read_text(err_path);
  std::error_code ec;
  if (!in_path.empty()) stdfs::remove(in_path, ec);
  return r;
}

Result execute_to(const std::vector<std::string>& argv, const stdfs::path& out_path,
                  const stdfs::path& err_path, int timeout_s) {
  RunOptions opts;
  opts.timeout_s = timeout_s;
  return execute_to(argv, out_path, err_path, opts);
}

Result execute(const std::vector<std::string>& argv, const RunOptions& opts) {
  static std::atomic<int> counter{0};
  stdfs::create_directories(kIoDir);
  auto stem = (stdfs::path(kIoDir) / (std::to_string(getpid()) + "-" + std::to_string(counter++))).string();
  Result r = execute_to(argv, stem + ".out", stem + ".err", opts);
  std::error_code ec;
  stdfs::remove(stem + ".out", ec);
  stdfs::remove(stem + ".err", ec);
  return r;
}

Result execute(const std::vector<std::string>& argv, int timeout_s) {
  RunOptions opts;
  opts.timeout_s = timeout_s;
  return execute(argv, opts);
}

Background::Background(const std::vector<std::string>& argv, stdfs::path out) : out_(std::move(out)) {
  pid_ = spawn(argv, {}, "", out_, out_.string() + ".err");
}

Background::~Background() {
  if (pid_ > 0) kill_group(pid_);
}

std::optional<int> Background::wait(double timeout_s) {
  auto code = wait_exit(pid_, timeout_s);
  if (code) pid_ = -1;
  return code;
}

std::string Background::output() const {
  return read_text(out_);
}

}  // namespace itest
