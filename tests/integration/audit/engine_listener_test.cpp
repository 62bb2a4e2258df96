// The engine asked for its own seccomp listener: a filter chain has one, so the floor keeps its plain errno,
// nothing is recorded, and the log says why.
#include <linux/seccomp.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <thread>

#include "audit_support.hpp"
#include "oci/support/unique_fd.hpp"
#include "oci/support/unix_socket.hpp"

using namespace audit_test;
using agentrt::UniqueFd;

namespace {

// The engine's side: takes the listener fd and answers each notification with EOWNERDEAD until POLLHUP.
void engine_listener(int server, int* answered) {
  pollfd pfd{server, POLLIN, 0};
  if (::poll(&pfd, 1, 60000) != 1) return;
  UniqueFd conn(::accept4(server, nullptr, nullptr, SOCK_CLOEXEC));
  UniqueFd notify;
  try {
    notify = agentrt::recv_fd(conn.get());
  } catch (const agentrt::Error&) {
    return;
  }
  for (;;) {
    pollfd p{notify.get(), POLLIN, 0};
    if (::poll(&p, 1, 60000) != 1 || !(p.revents & POLLIN)) return;
    seccomp_notif req{};
    if (::ioctl(notify.get(), SECCOMP_IOCTL_NOTIF_RECV, &req) < 0) continue;
    seccomp_notif_resp resp{};
    resp.id = req.id;
    resp.error = -EOWNERDEAD;
    if (::ioctl(notify.get(), SECCOMP_IOCTL_NOTIF_SEND, &resp) == 0) ++*answered;
  }
}

}  // namespace

TEST_CASE("audit: with the engine's own listener the floor keeps its errno and the log says so",
          "[audit][listener]") {
  std::string sock_path = "/run/" + tag() + "-listener.sock";
  UniqueFd server(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strcpy(addr.sun_path, sock_path.c_str());
  ::unlink(sock_path.c_str());
  REQUIRE(::bind(server.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  REQUIRE(::listen(server.get(), 1) == 0);
  int answered = 0;
  std::thread t([&] { engine_listener(server.get(), &answered); });

  json seccomp = {{"defaultAction", "SCMP_ACT_ALLOW"},
                  {"listenerPath", sock_path},
                  {"syscalls", {{{"names", {"memfd_create"}}, {"action", "SCMP_ACT_NOTIFY"}}}}};
  Bundle b;
  std::string id = tag() + "-listener";
  write_config(b, "echo \"memfd=$(/bin/probe memfd_create)\"; echo \"mount=$(/bin/probe mount)\"", seccomp);
  auto r = agentrt_cmd(state_root(b), {"--audit", "run", "-b", b.dir.string(), id});
  force_delete(b, id);
  t.join();
  ::unlink(sock_path.c_str());
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("memfd=EOWNERDEAD\n") != std::string::npos);  // the engine's listener answered
  CHECK(r.out.find("mount=EPERM\n") != std::string::npos);       // the floor, plain errno
  CHECK(answered >= 1);
  auto all = records(b, id);
  CHECK(seccomp_records(all).empty());
  CHECK(supervisors(all).empty());
  bool said = false;
  for (const auto& rec : all)
    said |= rec.value("notice", "").find("the engine asked for its own seccomp listener") == 0;
  CHECK(said);
}
