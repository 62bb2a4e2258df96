#pragma once
// Runs code in a forked child with a seccomp program installed, and the probe under a filter.
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <functional>
#include <string>

#include "oci/support/error.hpp"
#include "seccomp/filter.hpp"

namespace agentrt::seccomp::itest {

struct Outcome {
  int exit_code = -1;  // when the child exited
  int signal = 0;      // when it was killed
  std::string out;     // its stdout
};

// Forks; the child sets no_new_privs, installs `p` (when given) and runs `body`, whose return value is the
// exit code. The child's stdout is captured.
inline Outcome in_child(const Program* p, const std::function<int()>& body) {
  int pipefd[2];
  if (pipe2(pipefd, O_CLOEXEC) < 0) throw sys_error("pipe");
  pid_t pid = fork();
  if (pid < 0) throw sys_error("fork");
  if (pid == 0) {
    dup2(pipefd[1], 1);
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) _exit(120);
    if (p) {
      try {
        install(*p);
      } catch (...) {
        _exit(121);
      }
    }
    _exit(body());
  }
  close(pipefd[1]);
  Outcome o;
  char buf[4096];
  ssize_t n;
  while ((n = read(pipefd[0], buf, sizeof buf)) > 0) o.out.append(buf, static_cast<size_t>(n));
  close(pipefd[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (WIFEXITED(status)) o.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) o.signal = WTERMSIG(status);
  return o;
}

// errno of a raw syscall in the child (0 on success), as its exit code.
inline int errno_exit(long rc) {
  return rc < 0 ? errno : 0;
}

// The static threat probe: the CMake-built one when tests/threat is part of the build, else built here.
inline std::string probe_path() {
  std::string built = std::string(AGENTRT_BUILD_DIR) + "/tests/threat/agentrt_probe";
  if (access(built.c_str(), X_OK) == 0) return built;
  std::string dir = std::string(AGENTRT_BUILD_DIR) + "/tests/threat-probe";
  std::string out = dir + "/agentrt_probe";
  std::string src = std::string(AGENTRT_SOURCE_DIR) + "/tests/threat/probe.c";
  struct stat bin {
  }, source{};
  if (stat(out.c_str(), &bin) == 0 && stat(src.c_str(), &source) == 0 && bin.st_mtime >= source.st_mtime)
    return out;
  mkdir(dir.c_str(), 0755);
  std::string cmd = "cc -Wall -Wextra -Werror -static -no-pie -fno-pie -o " + out + " " + src;
  if (std::system(cmd.c_str()) != 0) throw Error("build probe: " + cmd + " failed");
  return out;
}

// Runs `probe op` in a child under `p` (or unfiltered).
inline Outcome probe(const Program* p, const std::string& op) {
  static const std::string path = probe_path();
  return in_child(p, [&] {
    execl(path.c_str(), path.c_str(), op.c_str(), static_cast<char*>(nullptr));
    return 127;
  });
}

}  // namespace agentrt::seccomp::itest
