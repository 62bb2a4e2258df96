#include "runtime/criu_run.hpp"

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <deque>
#include <optional>
#include <sstream>

#include "oci/support/error.hpp"
#include "oci/support/fs.hpp"
#include "oci/support/unique_fd.hpp"
#include "runtime/criu_plan.hpp"
#include "runtime/exec_path.hpp"
#include "runtime/process_wait.hpp"

extern char** environ;

namespace agentrt::runtime::criu {
namespace {

std::vector<std::string> own_environment() {
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) env.emplace_back(*e);
  return env;
}

std::string describe_status(int status) {
  if (WIFEXITED(status)) return "exit status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status));
  return "wait status " + std::to_string(status);
}

// In the forked child: waits for the parent's go (the pipe closing), keeps keep_fds, execs criu.
[[noreturn]] void exec_criu(const std::string& criu, const std::vector<std::string>& args, int go_fd,
                            const std::vector<int>& keep_fds, bool no_new_privs) {
  char byte;
  while (::read(go_fd, &byte, 1) < 0 && errno == EINTR) {
  }
  for (int fd : keep_fds) ::fcntl(fd, F_SETFD, 0);
  if (no_new_privs && ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
    ::dprintf(2, "prctl no_new_privs for criu: %s\n", ::strerror(errno));
    ::_exit(126);
  }
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(criu.c_str()));
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  ::execv(criu.c_str(), argv.data());
  ::dprintf(2, "exec %s: %s\n", criu.c_str(), ::strerror(errno));
  ::_exit(127);
}

}  // namespace

std::string find_criu(const std::string& flag) {
  std::string name = flag.empty() ? "criu" : flag;
  try {
    return name.find('/') != std::string::npos && ::access(name.c_str(), X_OK) == 0
               ? name
               : find_executable(name, own_environment());
  } catch (const Error&) {
    throw Error("criu not found" + (flag.empty() ? std::string(" in $PATH") : " at --criu " + flag) +
                    ": checkpoint/restore needs CRIU (Debian package criu)",
                ENOENT);
  }
}

std::string last_errors(const std::string& log_path, size_t max_lines) {
  std::optional<std::string> text;
  try {
    text = fs::read_file_if_exists(log_path);
  } catch (const Error&) {
  }
  if (!text) return "";
  std::deque<std::string> errors;
  std::istringstream in(*text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.find("Error") == std::string::npos) continue;
    errors.push_back(line);
    if (errors.size() > max_lines) errors.pop_front();
  }
  std::string out;
  for (const auto& e : errors) out += (out.empty() ? "" : " | ") + fs::trim(e);
  return out;
}

void run_criu(const std::string& criu, const std::vector<std::string>& args, const std::string& what,
              const std::string& log_path, const std::vector<int>& keep_fds,
              const std::function<void(pid_t)>& placed, bool no_new_privs) {
  int go[2];
  if (::pipe2(go, O_CLOEXEC) < 0) throw sys_error("pipe for criu");
  UniqueFd go_read(go[0]), go_write(go[1]);
  pid_t pid = ::fork();
  if (pid < 0) throw sys_error("fork criu");
  if (pid == 0) {
    go_write.reset();
    exec_criu(criu, args, go_read.get(), keep_fds, no_new_privs);
  }
  go_read.reset();
  try {
    if (placed) placed(pid);
  } catch (...) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    throw;
  }
  go_write.reset();
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) throw sys_error("wait for criu " + what);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return;
  std::string errors = last_errors(log_path);
  throw Error("criu " + what + " failed (" + describe_status(status) + ")" +
                  (errors.empty() ? "" : ": " + errors) + "; criu log: " + log_path,
              EIO);
}

void check_criu(const std::string& criu, const std::string& work_dir) {
  const char* log_name = "criu-check.log";
  std::string log = fs::join(work_dir, log_name);
  try {
    run_criu(criu, check_args(work_dir, log_name), "check", log);
  } catch (const Error& e) {
    throw Error(std::string("criu cannot checkpoint or restore on this kernel: ") + e.what(),
                e.error_number());
  }
}

}  // namespace agentrt::runtime::criu
