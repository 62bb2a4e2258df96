#include "oci/support/unix_socket.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cstring>

#include "oci/support/error.hpp"

namespace agentrt {
namespace {

// Longest payload accepted by recv_fd; pty names and runc's fd names are far shorter.
constexpr size_t kMaxName = 4096;

void connect_to(int sock, const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof(addr.sun_path)) throw Error("path too long for a unix socket address");
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  int rc;
  while ((rc = connect(sock, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr))) < 0 && errno == EINTR) {
  }
  check_sys(rc, "connect");
}

}  // namespace

UniqueFd connect_unix(const std::string& path) {
  try {
    UniqueFd sock(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!sock) throw sys_error("socket");
    sockaddr_un probe{};
    if (path.size() < sizeof(probe.sun_path)) {
      connect_to(sock.get(), path);
      return sock;
    }
    const auto slash = path.rfind('/');
    const std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
    const std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
    UniqueFd dirfd(open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!dirfd) throw sys_error("open directory " + dir);
    connect_to(sock.get(), "/proc/self/fd/" + std::to_string(dirfd.get()) + "/" + name);
    return sock;
  } catch (const Error& e) {
    throw e.wrap("connect to unix socket " + path);
  }
}

void send_fd(int sock, int fd, const std::string& name) {
  // The payload must not be empty: a zero-length stream message carrying only ancillary data is not
  // delivered.
  std::string payload = name.empty() ? std::string(1, '\0') : name;
  iovec iov{payload.data(), payload.size()};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof(control);
  cmsghdr* c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  std::memcpy(CMSG_DATA(c), &fd, sizeof(int));
  const std::string what = name.size() <= 64 ? "send fd " + name : "send fd";
  ssize_t n;
  while ((n = sendmsg(sock, &msg, MSG_NOSIGNAL)) < 0 && errno == EINTR) {
  }
  check_sys(n, what);
  // The fd went with the first byte; on a stream socket a long payload (a seccomp listener's container
  // state) may need more writes.
  for (size_t sent = static_cast<size_t>(n); sent < payload.size(); sent += static_cast<size_t>(n)) {
    while ((n = send(sock, payload.data() + sent, payload.size() - sent, MSG_NOSIGNAL)) < 0 &&
           errno == EINTR) {
    }
    check_sys(n, what);
  }
}

UniqueFd recv_fd(int sock, std::string* name) {
  UniqueFd fd = recv_fd_or_eof(sock, name);
  if (!fd) throw Error("receive fd: connection closed by peer");
  return fd;
}

UniqueFd recv_fd_or_eof(int sock, std::string* name) {
  std::string payload(kMaxName, '\0');
  iovec iov{payload.data(), payload.size()};
  // Room for a few fds so that a sender passing more than one does not leave us with unclosed extras.
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * 8)] = {};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof(control);
  ssize_t n;
  while ((n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR) {
  }
  check_sys(n, "receive fd");
  UniqueFd received;
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    const size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (size_t i = 0; i < count; ++i) {
      int fd;
      std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
      if (!received) {
        received.reset(fd);
      } else {
        close(fd);
      }
    }
  }
  if (!received) {
    if (n == 0) return received;
    throw Error("receive fd: message carries no file descriptor");
  }
  if ((msg.msg_flags & MSG_CTRUNC) != 0) throw Error("receive fd: control message truncated");
  if (name != nullptr) {
    payload.resize(static_cast<size_t>(n));
    while (!payload.empty() && payload.back() == '\0') payload.pop_back();
    *name = payload;
  }
  return received;
}

}  // namespace agentrt
