#include "runtime/sync.hpp"

#include <sys/socket.h>

#include <cstring>

#include "oci/support/error.hpp"

namespace agentrt::runtime {

void sync_send(int fd, SyncMsg m, const std::string& text) {
  std::string msg(1, static_cast<char>(m));
  msg += text;
  if (::send(fd, msg.data(), msg.size(), MSG_NOSIGNAL) < 0) throw sys_error("sync send");
}

SyncMessage sync_recv(int fd, const char* step) {
  char buf[8192];
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))];
  iovec iov{buf, sizeof buf};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n;
  do {
    n = ::recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);
  } while (n < 0 && errno == EINTR);
  if (n < 0) throw sys_error(std::string("sync ") + step);
  if (n == 0) throw Error(std::string("container init exited unexpectedly during ") + step);
  SyncMessage m{static_cast<SyncMsg>(buf[0]), std::string(buf + 1, static_cast<size_t>(n - 1)), UniqueFd()};
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
      int passed;
      std::memcpy(&passed, CMSG_DATA(c), sizeof passed);
      m.fd.reset(passed);
    }
  }
  if (m.type == SyncMsg::error) throw Error(m.text);
  return m;
}

void sync_expect(int fd, SyncMsg expect, const char* step) {
  SyncMessage m = sync_recv(fd, step);
  if (m.type != expect) throw Error(std::string("sync ") + step + ": unexpected message");
}

}  // namespace agentrt::runtime
