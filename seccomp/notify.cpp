#include "seccomp/notify.hpp"

#include <sys/socket.h>
#include <sys/un.h>

#include <cstring>

#include "oci/support/error.hpp"
#include "oci/support/unique_fd.hpp"

namespace agentrt::seccomp {

nlohmann::json container_process_state(const std::string& oci_version, int pid, const std::string& metadata,
                                       const nlohmann::json& state) {
  return nlohmann::json{{"ociVersion", oci_version},
                        {"fds", nlohmann::json::array({"seccompFd"})},
                        {"pid", pid},
                        {"metadata", metadata},
                        {"state", state}};
}

void send_listener(const std::string& listener_path, int notify_fd,
                   const nlohmann::json& container_process_state) {
  std::string what = "send seccomp listener fd to " + listener_path;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (listener_path.empty() || listener_path.size() >= sizeof addr.sun_path)
    throw Error(what + ": invalid socket path length");
  std::memcpy(addr.sun_path, listener_path.c_str(), listener_path.size() + 1);
  UniqueFd sock(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!sock) throw sys_error(what + ": socket");
  if (connect(sock.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0)
    throw sys_error(what + ": connect");

  std::string payload = container_process_state.dump();
  iovec iov{payload.data(), payload.size()};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  cmsghdr* cmsg = CMSG_FIRSTHDR(&msg);
  cmsg->cmsg_level = SOL_SOCKET;
  cmsg->cmsg_type = SCM_RIGHTS;
  cmsg->cmsg_len = CMSG_LEN(sizeof(int));
  std::memcpy(CMSG_DATA(cmsg), &notify_fd, sizeof(int));
  ssize_t n;
  do {
    n = sendmsg(sock.get(), &msg, MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  if (n < 0) throw sys_error(what + ": sendmsg");
  // The fd went with the first byte; a long state may need more writes.
  for (size_t sent = static_cast<size_t>(n); sent < payload.size(); sent += static_cast<size_t>(n)) {
    n = send(sock.get(), payload.data() + sent, payload.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR)
      n = 0;
    else if (n < 0)
      throw sys_error(what + ": send");
  }
}

}  // namespace agentrt::seccomp
