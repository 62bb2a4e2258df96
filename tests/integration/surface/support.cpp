#include "support.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstring>

namespace surface_test {

std::string unique_id(const std::string& tag) {
  return itest::unique_id("sf", tag);
}

Bundle::Bundle(const std::string& tag) : Bundle(FromId{}, unique_id(tag)) {}

Bundle::Bundle(FromId, const std::string& id)
    : itest::Bundle(stdfs::path(kBase) / id, id, itest::runc_spec("surface")) {
  make_rootfs_dir("/root");
}

Bundle::~Bundle() {
  std::error_code ec;
  stdfs::remove_all(dir(), ec);
}

Runtime::Runtime(std::string bin, const std::string& tag, std::vector<std::string> globals)
    : itest::Runtime(std::move(bin), stdfs::path(kBase) / ("root-" + unique_id(tag)), std::move(globals)) {
  stdfs::create_directories(root());
}

Runtime::~Runtime() {
  for (const auto& id : ids_) execute(argv({"delete", "-f", id}));
  std::error_code ec;
  stdfs::remove_all(root(), ec);
}

Result Runtime::start_bundle(const std::string& command, itest::Bundle& b,
                             const std::vector<std::string>& extra) const {
  b.save();
  track(b.id());
  std::vector<std::string> a{command, "--bundle", b.dir().string()};
  a.insert(a.end(), extra.begin(), extra.end());
  a.push_back(b.id());
  return (*this)(a);
}

Result Runtime::create(itest::Bundle& b, const std::vector<std::string>& extra) const {
  return start_bundle("create", b, extra);
}

Result Runtime::run(itest::Bundle& b, const std::vector<std::string>& extra) const {
  return start_bundle("run", b, extra);
}

ConsoleSocket::ConsoleSocket(const std::string& tag)
    : path_(stdfs::path(kBase) / (unique_id(tag) + ".sock")) {
  stdfs::create_directories(path_.parent_path());
  fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(fd_ >= 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path_.c_str(), sizeof(addr.sun_path) - 1);
  REQUIRE(bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
  REQUIRE(listen(fd_, 4) == 0);
}

ConsoleSocket::~ConsoleSocket() {
  if (fd_ >= 0) close(fd_);
  unlink(path_.c_str());
}

int ConsoleSocket::accept_fd(int timeout_ms) {
  pollfd p{fd_, POLLIN, 0};
  if (poll(&p, 1, timeout_ms) != 1) return -1;
  int conn = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
  if (conn < 0) return -1;
  char data[256];
  iovec iov{data, sizeof(data)};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))];
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof(control);
  int got = -1;
  if (recvmsg(conn, &msg, MSG_CMSG_CLOEXEC) >= 0) {
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
      if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
        std::memcpy(&got, CMSG_DATA(c), sizeof(int));
  }
  close(conn);
  return got;
}

std::string pty_converse(int master, const std::string& text, const std::string& until, int timeout_ms) {
  if (!text.empty() && write(master, text.data(), text.size()) != ssize_t(text.size())) return "";
  std::string got;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline && !contains(got, until)) {
    pollfd p{master, POLLIN, 0};
    if (poll(&p, 1, 50) == 1) {
      char buf[1024];
      ssize_t n = read(master, buf, sizeof(buf));
      if (n <= 0) break;
      got.append(buf, size_t(n));
    }
  }
  return got;
}

}  // namespace surface_test
