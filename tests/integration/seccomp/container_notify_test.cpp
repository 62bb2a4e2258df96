// SCMP_ACT_NOTIFY end to end: `agentrt run` hands the listener fd to linux.seccomp.listenerPath and this
// test, as the supervisor, answers the container's notified syscall.
#include <linux/seccomp.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <thread>

#include "container.hpp"
#include "oci/support/unique_fd.hpp"
#include "oci/support/unix_socket.hpp"

using namespace agentrt::seccomp::itest;
using agentrt::UniqueFd;

namespace {

struct Supervisor {
  nlohmann::json state;  // the containerProcessState it received
  int answered = 0;
  std::string error;
};

// Accepts one connection, takes the listener fd and answers every notification with -EOWNERDEAD until the
// container is gone (POLLHUP) or 60 s pass.
void supervise(int server, Supervisor& s) {
  pollfd pfd{server, POLLIN, 0};
  if (poll(&pfd, 1, 60000) != 1) {
    s.error = "no connection on the listener socket";
    return;
  }
  UniqueFd conn(accept4(server, nullptr, nullptr, SOCK_CLOEXEC));
  std::string payload;
  UniqueFd notify;
  try {
    notify = agentrt::recv_fd(conn.get(), &payload);
  } catch (const agentrt::Error& e) {
    s.error = std::string("listener message: ") + e.what();
    return;
  }
  s.state = nlohmann::json::parse(payload, nullptr, false);
  for (;;) {
    pollfd p{notify.get(), POLLIN, 0};
    if (poll(&p, 1, 60000) != 1 || (p.revents & POLLHUP) || !(p.revents & POLLIN)) return;
    seccomp_notif req{};
    if (ioctl(notify.get(), SECCOMP_IOCTL_NOTIF_RECV, &req) < 0) continue;
    seccomp_notif_resp resp{};
    resp.id = req.id;
    resp.error = -EOWNERDEAD;
    if (ioctl(notify.get(), SECCOMP_IOCTL_NOTIF_SEND, &resp) == 0) ++s.answered;
  }
}

}  // namespace

TEST_CASE("container: a NOTIFY rule's listener fd reaches listenerPath and the supervisor decides",
          "[container][notify]") {
  std::string sock_path = "/run/agentrt-seccomp-listener-" + std::to_string(getpid()) + ".sock";
  UniqueFd server(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strcpy(addr.sun_path, sock_path.c_str());
  unlink(sock_path.c_str());
  REQUIRE(bind(server.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  REQUIRE(listen(server.get(), 1) == 0);
  Supervisor sup;
  std::thread t([&] { supervise(server.get(), sup); });

  nlohmann::json seccomp = {{"defaultAction", "SCMP_ACT_ALLOW"},
                            {"listenerPath", sock_path},
                            {"listenerMetadata", "agentrt-test"},
                            {"syscalls", {{{"names", {"memfd_create"}}, {"action", "SCMP_ACT_NOTIFY"}}}}};
  std::string id = "seccomp-notify-" + std::to_string(getpid());
  // Under agent-default: the floor is added, the spec's NOTIFY rule for an uncontrolled call stays.
  Bundle b;
  auto r = agentrt_run(
      b, id, "", "echo \"memfd=$(/bin/probe memfd_create)\"; echo \"ptrace=$(/bin/probe ptrace)\"", seccomp);
  t.join();
  unlink(sock_path.c_str());
  INFO(r.out << sup.error);
  REQUIRE(sup.error.empty());
  REQUIRE(r.exit_code == 0);
  REQUIRE(r.out.find("memfd=EOWNERDEAD\n") != std::string::npos);
  REQUIRE(r.out.find("ptrace=EPERM\n") != std::string::npos);
  REQUIRE(sup.answered >= 1);
  REQUIRE(sup.state["ociVersion"].is_string());
  REQUIRE(sup.state["fds"] == nlohmann::json::array({"seccompFd"}));
  REQUIRE(sup.state["pid"].get<int>() > 0);
  REQUIRE(sup.state["metadata"] == "agentrt-test");
  REQUIRE(sup.state["state"]["id"] == id);
}
