// process.terminal with --console-socket: the runtime hands the pty master over SCM_RIGHTS and the process's
// stdio is the pty's slave.
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <future>

#include "oci/support/unique_fd.hpp"
#include "oci/support/unix_socket.hpp"
#include "support.hpp"

using namespace lifecycle_test;
using agentrt::UniqueFd;

namespace {

UniqueFd listen_unix(const stdfs::path& path) {
  UniqueFd s(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  REQUIRE(s.get() >= 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  REQUIRE(path.string().size() < sizeof addr.sun_path);
  std::strcpy(addr.sun_path, path.c_str());
  REQUIRE(bind(s.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  REQUIRE(listen(s.get(), 1) == 0);
  return s;
}

// Accepts one connection (within timeout_ms) and returns the fd it carries (empty on timeout).
UniqueFd receive_fd(int listener, int timeout_ms) {
  pollfd p{listener, POLLIN, 0};
  if (poll(&p, 1, timeout_ms) != 1) return UniqueFd();
  UniqueFd conn(accept4(listener, nullptr, nullptr, SOCK_CLOEXEC));
  if (!conn) return UniqueFd();
  return agentrt::recv_fd(conn.get());
}

// Reads until the slave side is closed (EIO) or timeout_ms passes without data.
std::string drain(int fd, int timeout_ms) {
  std::string out;
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, timeout_ms) != 1) break;
    char buf[4096];
    ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

}  // namespace

TEST_CASE("a terminal process gets a pty whose master reaches --console-socket", "[lifecycle][terminal]") {
  Fixture fx;
  auto rt = fx.agentrt();
  auto& b = fx.bundle("tty");
  b.config()["process"]["terminal"] = true;
  b.script("echo TTY=$(tty); [ -t 0 ] && [ -t 1 ] && [ -t 2 ] && echo ALLTTY=yes");
  b.save();
  auto sock_path = b.dir() / "console.sock";
  auto listener = listen_unix(sock_path);
  auto master_future = std::async(std::launch::async, [&] { return receive_fd(listener.get(), 15000); });
  auto c = rt({"create", "--console-socket", sock_path.string(), "-b", b.dir(), b.id()});
  UniqueFd master = master_future.get();
  INFO(c.all());
  REQUIRE(c.code == 0);
  REQUIRE(master);
  REQUIRE(rt({"start", b.id()}).code == 0);
  auto out = drain(master.get(), 5000);
  INFO(out);
  // The pty turns \n into \r\n.
  std::string cleaned;
  for (char ch : out)
    if (ch != '\r') cleaned += ch;
  CHECK(value_of(cleaned, "TTY") == "/dev/pts/0");
  CHECK(value_of(cleaned, "ALLTTY") == "yes");
  CHECK(rt.wait_status(b.id(), "stopped"));
}

TEST_CASE("terminal without --console-socket is refused", "[lifecycle][terminal]") {
  Fixture fx;
  auto rt = fx.agentrt();
  auto& b = fx.bundle("notty");
  b.config()["process"]["terminal"] = true;
  b.script("true");
  b.save();
  auto r = rt({"create", "-b", b.dir(), b.id()});
  INFO(r.all());
  CHECK(r.code != 0);
  CHECK(rt({"state", b.id()}).code != 0);
  fx.check_no_leaks(b.id());
}
