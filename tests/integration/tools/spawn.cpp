#include "integration/tools/spawn.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace tools_test {

namespace {

void make_pipe(int fds[2]) {
  if (pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error(std::string("pipe2: ") + std::strerror(errno));
}

void close_fd(int& fd) {
  if (fd >= 0) close(fd);
  fd = -1;
}

// Appends what is readable on fd to sink; closes fd at end of file.
void drain(int& fd, std::string& sink) {
  char buf[8192];
  ssize_t n = read(fd, buf, sizeof buf);
  if (n > 0) {
    sink.append(buf, static_cast<size_t>(n));
  } else if (n == 0 || errno != EINTR) {
    close_fd(fd);
  }
}

int decode(int status) {
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace

Spawned::Spawned(const std::vector<std::string>& argv) {
  int in[2], out[2], err[2];
  make_pipe(in);
  make_pipe(out);
  make_pipe(err);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  if (pid_ == 0) {
    setpgid(0, 0);
    dup2(in[0], 0);
    dup2(out[1], 1);
    dup2(err[1], 2);
    execv(args[0], args.data());
    _exit(127);
  }
  setpgid(pid_, pid_);
  close(in[0]);
  close(out[1]);
  close(err[1]);
  in_ = in[1];
  out_ = out[0];
  err_ = err[0];
}

Spawned::~Spawned() {
  close_fd(in_);
  close_fd(out_);
  close_fd(err_);
  if (pid_ > 0) {
    kill(-pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
}

void Spawned::send(const std::string& data) {
  size_t done = 0;
  while (in_ >= 0 && done < data.size()) {
    ssize_t n = write(in_, data.data() + done, data.size() - done);
    if (n < 0 && errno != EINTR)
      throw std::runtime_error(std::string("write stdin: ") + std::strerror(errno));
    if (n > 0) done += static_cast<size_t>(n);
  }
}

void Spawned::close_stdin() {
  close_fd(in_);
}

Output Spawned::wait(std::chrono::seconds timeout) {
  Output r;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  bool exited = false;
  while (!exited) {
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      r.timed_out = true;
      kill(-pid_, SIGKILL);
      waitpid(pid_, &status, 0);
      break;
    }
    if (out_ < 0 && err_ < 0) {
      // Both outputs closed: only the exit is left to wait for.
      exited = waitpid(pid_, &status, WNOHANG) == pid_;
      if (!exited) usleep(10000);
      continue;
    }
    pollfd fds[2] = {{out_, POLLIN, 0}, {err_, POLLIN, 0}};
    int n = poll(fds, 2, static_cast<int>(std::min<long>(left.count(), 200)));
    if (n > 0) {
      if (fds[0].revents) drain(out_, r.out);
      if (fds[1].revents) drain(err_, r.err);
    }
  }
  pid_ = -1;
  close_fd(out_);
  close_fd(err_);
  r.code = decode(status);
  return r;
}

Output run_command(const std::vector<std::string>& argv, std::chrono::seconds timeout) {
  Spawned child(argv);
  child.close_stdin();
  return child.wait(timeout);
}

}  // namespace tools_test
