// Loads compiled filters into the real kernel (in forked children) and checks what syscalls return.
#include <linux/seccomp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "child.hpp"
#include "oci/support/unique_fd.hpp"
#include "oci/support/unix_socket.hpp"
#include "seccomp/notify.hpp"

using namespace agentrt;
using namespace agentrt::seccomp;
using namespace agentrt::seccomp::itest;
using A = oci::SeccompAction;
using O = oci::SeccompOp;

namespace {

oci::SeccompSyscall rule(std::vector<std::string> names, A a, std::vector<oci::SeccompArg> args = {},
                         std::optional<uint32_t> err = std::nullopt) {
  oci::SeccompSyscall s;
  s.names = std::move(names);
  s.action = a;
  s.args = std::move(args);
  s.errno_ret = err;
  return s;
}

Program build(A def, std::vector<oci::SeccompSyscall> rules,
              std::optional<uint32_t> def_errno = std::nullopt) {
  oci::Seccomp s;
  s.default_action = def;
  s.default_errno_ret = def_errno;
  s.syscalls = std::move(rules);
  std::vector<std::string> w;
  return compile(s, w);
}

}  // namespace

TEST_CASE("kernel: errno rules, argument rules and the default", "[kernel]") {
  auto p = build(A::allow, {rule({"getppid"}, A::errno_ret, {}, 77u),
                            rule({"kill"}, A::errno_ret, {oci::SeccompArg{1, 0, 0, O::equal_to}}, 13u)});
  REQUIRE(in_child(&p, [] { return errno_exit(syscall(SYS_getppid)); }).exit_code == 77);
  REQUIRE(in_child(&p, [] { return errno_exit(kill(getpid(), 0)); }).exit_code == 13);
  REQUIRE(in_child(&p, [] { return errno_exit(syscall(SYS_getpid)); }).exit_code == 0);
  REQUIRE(in_child(nullptr, [] { return errno_exit(syscall(SYS_getppid)); }).exit_code == 0);
}

TEST_CASE("kernel: kill actions end the process with SIGSYS", "[kernel]") {
  auto p = build(A::allow, {rule({"getppid"}, A::kill_process), rule({"getuid"}, A::trap)});
  REQUIRE(in_child(&p, [] { return errno_exit(syscall(SYS_getppid)); }).signal == SIGSYS);
  REQUIRE(in_child(&p, [] { return errno_exit(syscall(SYS_getuid)); }).signal == SIGSYS);
}

TEST_CASE("kernel: syscalls newer than the profile return ENOSYS, older ones the default errno", "[kernel]") {
  // An allowlist that names nothing newer than openat (257).
  auto p = build(A::errno_ret,
                 {rule({"read", "write", "exit", "exit_group", "openat", "rt_sigreturn", "getpid", "close",
                        "brk", "mmap", "munmap", "fstat", "newfstatat", "rt_sigprocmask"},
                       A::allow)},
                 1u);
  REQUIRE(in_child(&p, [] { return errno_exit(syscall(SYS_getppid)); }).exit_code == EPERM);
  REQUIRE(in_child(&p, [] { return errno_exit(syscall(SYS_clone3, nullptr, 0)); }).exit_code == ENOSYS);
  REQUIRE(in_child(&p, [] { return errno_exit(syscall(SYS_pidfd_open, getpid(), 0)); }).exit_code == ENOSYS);
  REQUIRE(in_child(&p, [] { return errno_exit(syscall(SYS_getpid)); }).exit_code == 0);
}

TEST_CASE("kernel: the listener fd reaches listenerPath with the container process state",
          "[kernel][notify]") {
  std::string dir = std::filesystem::temp_directory_path() / ("agentrt-notify-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::string sock_path = dir + "/listener.sock";
  UniqueFd srv(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strcpy(addr.sun_path, sock_path.c_str());
  REQUIRE(bind(srv.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  REQUIRE(listen(srv.get(), 1) == 0);

  auto p = build(A::allow, {rule({"getppid"}, A::notify)});
  REQUIRE(p.wants_listener);
  // The child installs the filter, hands the listener fd on, then makes the notified call.
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    int fd = install(p);
    try {
      send_listener(sock_path, fd, container_process_state("1.2.0", getpid(), "meta", {{"id", "c1"}}));
    } catch (...) {
      _exit(100);
    }
    close(fd);
    long rc = syscall(SYS_getppid);
    _exit(rc < 0 ? errno : 0);
  }
  UniqueFd conn(accept4(srv.get(), nullptr, nullptr, SOCK_CLOEXEC));
  REQUIRE(conn);
  std::string payload;
  UniqueFd notify = agentrt::recv_fd(conn.get(), &payload);
  auto state = nlohmann::json::parse(payload);
  REQUIRE(state["ociVersion"] == "1.2.0");
  REQUIRE(state["fds"] == nlohmann::json::array({"seccompFd"}));
  REQUIRE(state["pid"] == pid);
  REQUIRE(state["metadata"] == "meta");
  REQUIRE(state["state"]["id"] == "c1");

  // Act as the supervisor: answer the child's getppid with EACCES.
  seccomp_notif req{};
  REQUIRE(ioctl(notify.get(), SECCOMP_IOCTL_NOTIF_RECV, &req) == 0);
  REQUIRE(req.pid == static_cast<uint32_t>(pid));
  REQUIRE(req.data.nr == SYS_getppid);
  seccomp_notif_resp resp{};
  resp.id = req.id;
  resp.error = -EACCES;
  REQUIRE(ioctl(notify.get(), SECCOMP_IOCTL_NOTIF_SEND, &resp) == 0);
  int status = 0;
  waitpid(pid, &status, 0);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == EACCES);
  std::filesystem::remove_all(dir);
}

TEST_CASE("kernel: send_listener errors name the socket path", "[notify]") {
  REQUIRE_THROWS_WITH(send_listener("/nonexistent/agentrt.sock", 0, nlohmann::json::object()),
                      Catch::StartsWith("send seccomp listener fd to /nonexistent/agentrt.sock: connect"));
}

TEST_CASE("kernel: TSYNC together with a listener still returns the listener fd", "[kernel][notify]") {
  oci::Seccomp s;
  s.default_action = A::allow;
  s.flags = {"SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG"};
  s.syscalls = {rule({"getppid"}, A::notify)};
  std::vector<std::string> w;
  Program p = compile(s, w);
  auto o = in_child(nullptr, [&] {
    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    int fd = install(p);
    // A valid listener: SECCOMP_IOCTL_NOTIF_ID_VALID on a made-up id says ENOENT, not EBADF/ENOTTY.
    uint64_t id = 12345;
    int rc = ioctl(fd, SECCOMP_IOCTL_NOTIF_ID_VALID, &id);
    return fd >= 0 && rc < 0 && errno == ENOENT ? 0 : 1;
  });
  REQUIRE(o.exit_code == 0);
}
