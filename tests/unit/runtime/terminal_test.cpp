#include "runtime/terminal.hpp"

#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>

#include "oci/support/error.hpp"
#include "oci/support/unix_socket.hpp"

using agentrt::recv_fd;
using agentrt::UniqueFd;
using agentrt::oci::ConsoleSize;
using agentrt::runtime::bridge_terminal;
using agentrt::runtime::setup_container_console;

namespace {

// Reads from fd until `needle` shows up, EOF/EIO, or the timeout; returns everything read.
std::string read_until(int fd, const std::string& needle, int timeout_ms = 5000) {
  std::string out;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (needle.empty() || out.find(needle) == std::string::npos) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now())
            .count();
    if (left <= 0) break;
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left)) <= 0) break;
    char buf[4096];
    const ssize_t n = read(fd, buf, sizeof(buf));
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

int wait_exit(pid_t pid) {
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void write_str(int fd, const std::string& s) {
  REQUIRE(write(fd, s.data(), s.size()) == ssize_t(s.size()));
}

// A pty pair whose slave is made the controlling terminal and stdio of a forked /bin/sh running `script`.
struct ShellOnPty {
  UniqueFd master;
  pid_t pid = -1;
  explicit ShellOnPty(const std::string& script) {
    master.reset(posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC));
    REQUIRE(master);
    REQUIRE(grantpt(master.get()) == 0);
    REQUIRE(unlockpt(master.get()) == 0);
    const std::string slave_path = ptsname(master.get());
    fflush(nullptr);
    pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      setsid();
      const int s = open(slave_path.c_str(), O_RDWR);
      if (s < 0 || ioctl(s, TIOCSCTTY, 0) < 0) _exit(90);
      dup2(s, 0);
      dup2(s, 1);
      dup2(s, 2);
      execl("/bin/sh", "sh", "-c", script.c_str(), nullptr);
      _exit(91);
    }
  }
};

}  // namespace

TEST_CASE("setup_container_console gives the child a controlling pty and sends the master", "[terminal]") {
  int sv[2];
  REQUIRE(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
  UniqueFd ours(sv[0]);
  UniqueFd theirs(sv[1]);
  fflush(nullptr);
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    try {
      setup_container_console(theirs.get(), ConsoleSize{33, 101});
    } catch (const std::exception& e) {
      fprintf(stderr, "setup_container_console: %s\n", e.what());
      _exit(99);
    }
    // Neither the master nor a spare slave fd may stay open in the process (the console socket is the
    // caller's).
    std::string leaks;
    for (const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) {
      const int fd = std::stoi(e.path().filename());
      std::error_code ec;
      const auto target = std::filesystem::read_symlink(e.path(), ec).string();
      if (fd > 2 && (target.find("/dev/pts/") == 0 || target == "/dev/ptmx")) {
        leaks += " " + std::to_string(fd) + "->" + target;
      }
    }
    printf("leaked fds:[%s]\n", leaks.c_str());
    fflush(stdout);
    // The only way stdin/stdout reach the test is through the pty.
    execl("/bin/sh", "sh", nullptr);
    _exit(98);
  }
  theirs.reset();
  std::string name;
  UniqueFd master = recv_fd(ours.get(), &name);
  CHECK(name.rfind("/dev/pts/", 0) == 0);
  char real_name[128];
  REQUIRE(ptsname_r(master.get(), real_name, sizeof(real_name)) == 0);
  CHECK(name == real_name);
  winsize ws{};
  REQUIRE(ioctl(master.get(), TIOCGWINSZ, &ws) == 0);
  CHECK(ws.ws_row == 33);
  CHECK(ws.ws_col == 101);

  write_str(master.get(),
            "[ -t 0 ] && [ -t 1 ] && [ -t 2 ] && echo STDIO-IS-TTY; stty size; tty;"
            " echo VIA-DEV-TTY > /dev/tty; exit 7\n");
  const auto out = read_until(master.get(), "");
  INFO(out);
  CHECK(wait_exit(pid) == 7);
  CHECK(out.find("STDIO-IS-TTY\r\n") != std::string::npos);
  CHECK(out.find("33 101\r\n") != std::string::npos);
  CHECK(out.find(name + "\r\n") != std::string::npos);
  // /dev/tty only opens for a process with a controlling terminal.
  CHECK(out.find("VIA-DEV-TTY\r\n") != std::string::npos);
  CHECK(out.find("leaked fds:[]\r\n") != std::string::npos);
}

TEST_CASE("setup_container_console without a size leaves the kernel default", "[terminal]") {
  int sv[2];
  REQUIRE(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
  UniqueFd ours(sv[0]);
  UniqueFd theirs(sv[1]);
  fflush(nullptr);
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    try {
      setup_container_console(theirs.get(), std::nullopt);
    } catch (const std::exception& e) {
      _exit(99);
    }
    _exit(isatty(0) && isatty(1) && isatty(2) ? 0 : 1);
  }
  theirs.reset();
  UniqueFd master = recv_fd(ours.get());
  winsize ws{};
  REQUIRE(ioctl(master.get(), TIOCGWINSZ, &ws) == 0);
  CHECK(ws.ws_row == 0);
  CHECK(ws.ws_col == 0);
  CHECK(wait_exit(pid) == 0);
}

TEST_CASE("setup_container_console fails cleanly on a closed console socket", "[terminal]") {
  int sv[2];
  REQUIRE(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
  close(sv[0]);
  UniqueFd theirs(sv[1]);
  fflush(nullptr);
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    try {
      setup_container_console(theirs.get(), std::nullopt);
    } catch (const agentrt::Error& e) {
      _exit(std::string(e.what()).find("send console master to console socket") == 0 ? 0 : 2);
    }
    _exit(1);
  }
  CHECK(wait_exit(pid) == 0);
}

TEST_CASE("bridge_terminal copies piped stdin to the pty and the pty to stdout until it closes",
          "[terminal]") {
  ShellOnPty shell("read line; echo got:$line; read more || echo stdin-eof; exit 3");
  int in[2];
  int out[2];
  REQUIRE(pipe2(in, O_CLOEXEC) == 0);
  REQUIRE(pipe2(out, O_CLOEXEC) == 0);
  fflush(nullptr);
  const pid_t bridge = fork();
  REQUIRE(bridge >= 0);
  if (bridge == 0) {
    close(in[1]);
    close(out[0]);
    dup2(in[0], 0);
    dup2(out[1], 1);
    try {
      bridge_terminal(shell.master.get());
    } catch (const std::exception& e) {
      _exit(99);
    }
    _exit(0);
  }
  close(in[0]);
  close(out[1]);
  shell.master.reset();
  write_str(in[1], "hello world\n");
  close(in[1]);  // passed on as the pty's EOF character
  const auto output = read_until(out[0], "");
  close(out[0]);
  INFO(output);
  CHECK(wait_exit(shell.pid) == 3);
  CHECK(wait_exit(bridge) == 0);
  CHECK(output.find("got:hello world\r\n") != std::string::npos);
  CHECK(output.find("stdin-eof\r\n") != std::string::npos);
}

TEST_CASE("bridge_terminal on a tty: raw mode, window size and SIGWINCH", "[terminal]") {
  // The "caller's terminal": an outer pty whose slave is the bridge's stdin/stdout and controlling tty.
  UniqueFd outer(posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC));
  REQUIRE(grantpt(outer.get()) == 0);
  REQUIRE(unlockpt(outer.get()) == 0);
  const std::string outer_slave = ptsname(outer.get());
  winsize initial{};
  initial.ws_row = 40;
  initial.ws_col = 120;
  REQUIRE(ioctl(outer.get(), TIOCSWINSZ, &initial) == 0);
  termios before{};
  REQUIRE(tcgetattr(outer.get(), &before) == 0);
  REQUIRE((before.c_lflag & ICANON) != 0);

  ShellOnPty shell("stty size; read x; stty size; echo bye");
  fflush(nullptr);
  const pid_t bridge = fork();
  REQUIRE(bridge >= 0);
  if (bridge == 0) {
    setsid();
    const int s = open(outer_slave.c_str(), O_RDWR);
    if (s < 0 || ioctl(s, TIOCSCTTY, 0) < 0) _exit(90);
    dup2(s, 0);
    dup2(s, 1);
    try {
      bridge_terminal(shell.master.get());
    } catch (const std::exception& e) {
      _exit(99);
    }
    _exit(0);
  }
  shell.master.reset();
  auto output = read_until(outer.get(), "40 120\r\n");
  INFO(output);
  CHECK(output.find("40 120\r\n") != std::string::npos);
  termios during{};
  REQUIRE(tcgetattr(outer.get(), &during) == 0);
  CHECK((during.c_lflag & (ICANON | ECHO)) == 0);

  winsize resized{};
  resized.ws_row = 50;
  resized.ws_col = 132;
  REQUIRE(ioctl(outer.get(), TIOCSWINSZ, &resized) == 0);  // the kernel sends SIGWINCH to the bridge
  usleep(200 * 1000);
  write_str(outer.get(), "go\r");
  output += read_until(outer.get(), "bye\r\n");
  CHECK(output.find("50 132\r\n") != std::string::npos);
  CHECK(output.find("bye\r\n") != std::string::npos);
  CHECK(wait_exit(shell.pid) == 0);
  CHECK(wait_exit(bridge) == 0);
  termios after{};
  REQUIRE(tcgetattr(outer.get(), &after) == 0);
  CHECK(after.c_lflag == before.c_lflag);
  CHECK(after.c_iflag == before.c_iflag);
  CHECK(after.c_oflag == before.c_oflag);
}

TEST_CASE("bridge_terminal delivers all output written just before the pty closes", "[terminal]") {
  // 200000 bytes without newlines (no output translation), then the shell exits at once.
  ShellOnPty shell("head -c 200000 /dev/zero | tr '\\0' x");
  int out[2];
  REQUIRE(pipe2(out, O_CLOEXEC) == 0);
  fflush(nullptr);
  const pid_t bridge = fork();
  REQUIRE(bridge >= 0);
  if (bridge == 0) {
    close(out[0]);
    const int devnull = open("/dev/null", O_RDONLY);
    dup2(devnull, 0);
    dup2(out[1], 1);
    try {
      bridge_terminal(shell.master.get());
    } catch (const std::exception& e) {
      _exit(99);
    }
    _exit(0);
  }
  close(out[1]);
  shell.master.reset();
  const auto output = read_until(out[0], "", 20000);
  close(out[0]);
  CHECK(wait_exit(shell.pid) == 0);
  CHECK(wait_exit(bridge) == 0);
  CHECK(output.size() == 200000);
  CHECK(output.find_first_not_of('x') == std::string::npos);
}
