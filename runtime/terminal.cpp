#include "runtime/terminal.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <termios.h>
#include <unistd.h>

#include <string>

#include "oci/support/error.hpp"
#include "oci/support/unique_fd.hpp"
#include "oci/support/unix_socket.hpp"

namespace agentrt::runtime {
namespace {

// Opens the slave side of `master` without a path lookup where the kernel allows it (TIOCGPTPEER,
// Linux 4.13): a path could be swapped under us inside a container.
UniqueFd open_slave(int master, const std::string& name) {
  UniqueFd slave(ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (slave) return slave;
  if (errno != EINVAL && errno != ENOTTY) throw sys_error("open pty slave " + name);
  slave.reset(open(name.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!slave) throw sys_error("open pty slave " + name);
  return slave;
}

// Puts a tty in raw mode for the lifetime of the object.
class RawMode {
 public:
  explicit RawMode(int fd) : fd_(fd) {
    check_sys(tcgetattr(fd, &saved_), "get terminal attributes");
    termios raw = saved_;
    cfmakeraw(&raw);
    check_sys(tcsetattr(fd, TCSANOW, &raw), "set terminal raw mode");
  }
  ~RawMode() { tcsetattr(fd_, TCSANOW, &saved_); }
  RawMode(const RawMode&) = delete;
  RawMode& operator=(const RawMode&) = delete;

 private:
  int fd_;
  termios saved_{};
};

// Blocks SIGWINCH and reads it from a signalfd; the previous mask is restored on destruction.
class WinchFd {
 public:
  WinchFd() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGWINCH);
    pthread_sigmask(SIG_BLOCK, &set, &old_);
    fd_.reset(signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK));
    if (!fd_) {
      const int err = errno;
      pthread_sigmask(SIG_SETMASK, &old_, nullptr);
      throw sys_error("signalfd", err);
    }
  }
  ~WinchFd() {
    fd_.reset();
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  WinchFd(const WinchFd&) = delete;
  WinchFd& operator=(const WinchFd&) = delete;
  int get() const { return fd_.get(); }
  void drain() const {
    signalfd_siginfo info;
    while (read(fd_.get(), &info, sizeof(info)) > 0) {
    }
  }

 private:
  UniqueFd fd_;
  sigset_t old_;
};

void copy_window_size(int from, int to) {
  winsize ws{};
  if (ioctl(from, TIOCGWINSZ, &ws) == 0) ioctl(to, TIOCSWINSZ, &ws);
}

void write_all(int fd, const char* data, size_t len) {
  while (len > 0) {
    const ssize_t n = write(fd, data, len);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) {
        pollfd p{fd, POLLOUT, 0};
        poll(&p, 1, -1);
        continue;
      }
      throw sys_error("write terminal output");
    }
    data += n;
    len -= static_cast<size_t>(n);
  }
}

// The byte that makes a canonical-mode reader of the pty see end of file, or nothing if the pty is raw.
std::string eof_sequence(int master) {
  termios t{};
  if (tcgetattr(master, &t) < 0 || (t.c_lflag & ICANON) == 0) return "";
  return std::string(1, static_cast<char>(t.c_cc[VEOF]));
}

}  // namespace

void setup_container_console(int console_sock, const std::optional<oci::ConsoleSize>& size) {
  UniqueFd master(posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!master) throw sys_error("open /dev/ptmx");
  check_sys(grantpt(master.get()), "grantpt");
  check_sys(unlockpt(master.get()), "unlockpt");
  char name_buf[128];
  const int rc = ptsname_r(master.get(), name_buf, sizeof(name_buf));
  if (rc != 0) throw sys_error("ptsname", rc);
  const std::string name = name_buf;
  UniqueFd slave = open_slave(master.get(), name);
  if (size) {
    winsize ws{};
    ws.ws_row = static_cast<unsigned short>(size->height);
    ws.ws_col = static_cast<unsigned short>(size->width);
    check_sys(ioctl(slave.get(), TIOCSWINSZ, &ws), "set console size");
  }
  try {
    send_fd(console_sock, master.get(), name);
  } catch (const Error& e) {
    throw e.wrap("send console master to console socket");
  }
  master.reset();

  if (getsid(0) != getpid()) check_sys(setsid(), "setsid");
  check_sys(ioctl(slave.get(), TIOCSCTTY, 0), "make " + name + " the controlling terminal");
  // Keep the slave above 2 so that dup2 below always clears close-on-exec on 0, 1 and 2.
  if (slave.get() <= 2) slave.reset(check_sys(fcntl(slave.get(), F_DUPFD_CLOEXEC, 3), "dup pty slave"));
  for (int target = 0; target <= 2; ++target)
    check_sys(dup2(slave.get(), target), "dup2 pty slave onto stdio");
}

void bridge_terminal(int master_fd) {
  const bool tty_in = isatty(0) == 1;
  std::optional<RawMode> raw;
  std::optional<WinchFd> winch;
  if (tty_in) {
    copy_window_size(0, master_fd);
    winch.emplace();
    raw.emplace(0);
  }
  const int flags = check_sys(fcntl(master_fd, F_GETFL), "get pty flags");
  check_sys(fcntl(master_fd, F_SETFL, flags | O_NONBLOCK), "set pty non-blocking");

  std::string to_master;  // read from stdin, not yet accepted by the pty
  bool stdin_open = true;
  char buf[16384];
  for (;;) {
    pollfd fds[3] = {
        {master_fd, static_cast<short>(POLLIN | (to_master.empty() ? 0 : POLLOUT)), 0},
        {stdin_open && to_master.empty() ? 0 : -1, POLLIN, 0},
        {winch ? winch->get() : -1, POLLIN, 0},
    };
    const int n = poll(fds, 3, -1);
    if (n < 0 && errno == EINTR) continue;
    check_sys(n, "poll terminal");
    if (fds[2].revents != 0) {
      winch->drain();
      copy_window_size(0, master_fd);
    }
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      const ssize_t r = read(master_fd, buf, sizeof(buf));
      if (r > 0) {
        write_all(1, buf, static_cast<size_t>(r));
      } else if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
        break;  // EIO: the last slave fd was closed
      }
    }
    if ((fds[0].revents & POLLOUT) && !to_master.empty()) {
      const ssize_t w = write(master_fd, to_master.data(), to_master.size());
      if (w > 0) to_master.erase(0, static_cast<size_t>(w));
      if (w < 0 && errno != EAGAIN && errno != EINTR) break;
    }
    if (fds[1].revents != 0) {
      const ssize_t r = read(0, buf, sizeof(buf));
      if (r > 0) {
        to_master.assign(buf, static_cast<size_t>(r));
      } else if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
        stdin_open = false;
        if (!tty_in) to_master = eof_sequence(master_fd);
      }
    }
  }
  fcntl(master_fd, F_SETFL, flags);
}

}  // namespace agentrt::runtime
