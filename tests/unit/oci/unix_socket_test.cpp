#include "oci/support/unix_socket.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <filesystem>
#include <thread>

#include "oci/support/error.hpp"
#include "unit/runtime/test_tmpdir.hpp"

using agentrt::connect_unix;
using agentrt::Error;
using agentrt::recv_fd;
using agentrt::send_fd;
using agentrt::UniqueFd;
using agentrt::test::TempDir;

namespace {

struct SocketPair {
  UniqueFd a, b;
  SocketPair() {
    int sv[2];
    REQUIRE(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
    a.reset(sv[0]);
    b.reset(sv[1]);
  }
};

bool same_file(int x, int y) {
  struct stat sx {};
  struct stat sy {};
  REQUIRE(fstat(x, &sx) == 0);
  REQUIRE(fstat(y, &sy) == 0);
  return sx.st_dev == sy.st_dev && sx.st_ino == sy.st_ino;
}

// Listens on `path`, which must fit sun_path (the test binds through a short relative path when it does not).
UniqueFd listen_at(const std::string& path) {
  UniqueFd s(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  REQUIRE(path.size() < sizeof(addr.sun_path));
  std::strcpy(addr.sun_path, path.c_str());
  REQUIRE(bind(s.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
  REQUIRE(listen(s.get(), 4) == 0);
  return s;
}

}  // namespace

TEST_CASE("send_fd and recv_fd pass an fd and its name", "[unix_socket]") {
  SocketPair sp;
  UniqueFd file(open("/dev/null", O_RDONLY | O_CLOEXEC));
  send_fd(sp.a.get(), file.get(), "/dev/pts/7");
  std::string name;
  UniqueFd got = recv_fd(sp.b.get(), &name);
  CHECK(name == "/dev/pts/7");
  CHECK(got.get() != file.get());
  CHECK(same_file(got.get(), file.get()));
  CHECK((fcntl(got.get(), F_GETFD) & FD_CLOEXEC) != 0);
}

TEST_CASE("consecutive fds arrive as separate messages", "[unix_socket]") {
  SocketPair sp;
  UniqueFd f1(open("/dev/null", O_RDONLY | O_CLOEXEC));
  UniqueFd f2(open("/proc/self/stat", O_RDONLY | O_CLOEXEC));
  send_fd(sp.a.get(), f1.get(), "one");
  send_fd(sp.a.get(), f2.get(), "two");
  std::string n1, n2;
  UniqueFd g1 = recv_fd(sp.b.get(), &n1);
  UniqueFd g2 = recv_fd(sp.b.get(), &n2);
  CHECK(n1 == "one");
  CHECK(n2 == "two");
  CHECK(same_file(g1.get(), f1.get()));
  CHECK(same_file(g2.get(), f2.get()));
}

TEST_CASE("recv_fd fails when the peer closes or sends no fd", "[unix_socket]") {
  SocketPair sp;
  REQUIRE(write(sp.a.get(), "x", 1) == 1);
  CHECK_THROWS_WITH(recv_fd(sp.b.get()), "receive fd: message carries no file descriptor");
  sp.a.reset();
  CHECK_THROWS_WITH(recv_fd(sp.b.get()), "receive fd: connection closed by peer");
}

TEST_CASE("connect_unix reaches short and over-long socket paths", "[unix_socket]") {
  TempDir dir;
  SECTION("short path") {
    const auto path = dir.file("s.sock");
    UniqueFd listener = listen_at(path);
    UniqueFd c = connect_unix(path);
    UniqueFd server(accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
    REQUIRE(server);
    UniqueFd file(open("/dev/null", O_RDONLY | O_CLOEXEC));
    send_fd(c.get(), file.get(), "n");
    CHECK(same_file(recv_fd(server.get()).get(), file.get()));
  }
  SECTION("path longer than sun_path") {
    std::string deep = dir.path();
    while (deep.size() < 200) deep += "/a-rather-long-directory-name";
    std::filesystem::create_directories(deep);
    const auto path = deep + "/console.sock";
    REQUIRE(path.size() > sizeof(sockaddr_un::sun_path));
    // Bind through a relative path from inside the directory.
    const auto cwd = std::filesystem::current_path();
    std::filesystem::current_path(deep);
    UniqueFd listener = listen_at("console.sock");
    std::filesystem::current_path(cwd);
    UniqueFd c = connect_unix(path);
    UniqueFd server(accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
    REQUIRE(server);
    CHECK(write(c.get(), "ok", 2) == 2);
    char buf[2];
    CHECK(read(server.get(), buf, 2) == 2);
    // No O_PATH directory fd is left behind.
    for (const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) {
      std::error_code ec;
      CHECK(std::filesystem::read_symlink(e.path(), ec).string() != deep);
    }
  }
  SECTION("missing socket") {
    CHECK_THROWS_WITH(connect_unix(dir.file("nope.sock")), "connect to unix socket " + dir.file("nope.sock") +
                                                               ": connect: No such file or directory");
  }
}

TEST_CASE("recv_fd_or_eof returns the fd, or nothing when the peer just closes", "[unix_socket]") {
  SocketPair sp;
  UniqueFd file(open("/dev/null", O_RDONLY | O_CLOEXEC));
  send_fd(sp.a.get(), file.get(), "pty");
  UniqueFd got = agentrt::recv_fd_or_eof(sp.b.get());
  REQUIRE(got);
  CHECK(same_file(got.get(), file.get()));
  sp.a.reset();
  CHECK_FALSE(agentrt::recv_fd_or_eof(sp.b.get()));
}

TEST_CASE("recv_fd_or_eof still fails on a message without an fd", "[unix_socket]") {
  SocketPair sp;
  REQUIRE(write(sp.a.get(), "x", 1) == 1);
  CHECK_THROWS_WITH(agentrt::recv_fd_or_eof(sp.b.get()), "receive fd: message carries no file descriptor");
}

TEST_CASE("send_fd delivers a payload longer than one write on a stream socket", "[unix_socket]") {
  SocketPair sp;
  UniqueFd file(open("/dev/null", O_RDONLY | O_CLOEXEC));
  // Far more than the socket buffer: the sender has to write the rest after the fd went with the first part.
  std::string big(1 << 20, 'x');
  big.back() = 'y';
  std::thread sender([&] { send_fd(sp.a.get(), file.get(), big); });
  std::string got;
  UniqueFd fd = recv_fd(sp.b.get(), &got);
  REQUIRE(fd);
  CHECK(same_file(fd.get(), file.get()));
  char buf[65536];
  while (got.size() < big.size()) {
    ssize_t n = read(sp.b.get(), buf, sizeof buf);
    REQUIRE(n > 0);
    got.append(buf, static_cast<size_t>(n));
  }
  sender.join();
  CHECK(got == big);
}
