#include <catch2/catch.hpp>

#include "helpers.hpp"
#include "oci/support/error.hpp"
#include "seccomp/bpf_build.hpp"

using namespace agentrt;
using namespace agentrt::seccomp;
using namespace agentrt::seccomp::test;
using A = oci::SeccompAction;
using O = oci::SeccompOp;

TEST_CASE("compile: every action reaches the program", "[compile]") {
  std::vector<std::string> w;
  auto p =
      compile(filter(A::allow, {rule({"getpid"}, A::kill), rule({"getppid"}, A::kill_process),
                                rule({"gettid"}, A::kill_thread), rule({"getuid"}, A::trap),
                                rule({"getgid"}, A::errno_ret, {}, 13u), rule({"geteuid"}, A::trace, {}, 7u),
                                rule({"getegid"}, A::log), rule({"mount"}, A::notify)}),
              w);
  REQUIRE(w.empty());
  REQUIRE(decide(p, SYS_getpid) == SECCOMP_RET_KILL_THREAD);
  REQUIRE(decide(p, SYS_getppid) == SECCOMP_RET_KILL_PROCESS);
  REQUIRE(decide(p, SYS_gettid) == SECCOMP_RET_KILL_THREAD);
  REQUIRE(decide(p, SYS_getuid) == SECCOMP_RET_TRAP);
  REQUIRE(decide(p, SYS_getgid) == errno_ret(13));
  REQUIRE(decide(p, SYS_geteuid) == (SECCOMP_RET_TRACE | 7));
  REQUIRE(decide(p, SYS_getegid) == SECCOMP_RET_LOG);
  REQUIRE(decide(p, SYS_mount) == SECCOMP_RET_USER_NOTIF);
  REQUIRE(decide(p, SYS_read) == SECCOMP_RET_ALLOW);
  REQUIRE(p.wants_listener);
}

TEST_CASE("compile: default action and defaultErrnoRet", "[compile]") {
  std::vector<std::string> w;
  auto p = compile(filter(A::errno_ret, {rule({"read", "openat"}, A::allow)}, 13u), w);
  REQUIRE(decide(p, SYS_read) == SECCOMP_RET_ALLOW);
  REQUIRE(decide(p, SYS_write) == errno_ret(13));
  auto k = compile(filter(A::kill_process, {rule({"read", "openat"}, A::allow)}), w);
  REQUIRE(decide(k, SYS_write) == SECCOMP_RET_KILL_PROCESS);
}

TEST_CASE("compile: each comparison operator at its boundaries", "[compile]") {
  std::vector<std::string> w;
  struct Case {
    O op;
    uint64_t v, v2;
    std::vector<std::pair<uint64_t, bool>> checks;  // arg value -> denied?
  };
  const uint64_t big = 0x100000005ULL;  // needs the high word
  std::vector<Case> cases{
      {O::not_equal, 5, 0, {{5, false}, {4, true}, {big, true}}},
      {O::less_than, 5, 0, {{4, true}, {5, false}, {big, false}}},
      {O::less_equal, 5, 0, {{5, true}, {6, false}, {0, true}}},
      {O::equal_to, big, 0, {{big, true}, {5, false}}},
      {O::greater_equal, big, 0, {{big, true}, {big - 1, false}, {~0ULL, true}}},
      {O::greater_than, 5, 0, {{6, true}, {5, false}, {big, true}}},
      {O::masked_equal, 0xff00, 0x1200, {{0x1234, true}, {0x11234, true}, {0x1334, false}}},
  };
  for (const auto& c : cases) {
    auto p = compile(filter(A::allow, {rule({"ioctl"}, A::errno_ret, {arg(1, c.op, c.v, c.v2)}, 25u)}), w);
    for (const auto& [value, denied] : c.checks) {
      INFO("op " << oci::to_string(c.op) << " value " << value);
      REQUIRE((decide(p, SYS_ioctl, {3, value}) == errno_ret(25)) == denied);
    }
  }
}

TEST_CASE("compile: comparisons on two arguments AND, repeated index ORs", "[compile]") {
  std::vector<std::string> w;
  auto p =
      compile(filter(A::allow,
                     {rule({"socket"}, A::errno_ret, {arg(0, O::equal_to, 2), arg(1, O::equal_to, 3)}),
                      rule({"personality"}, A::errno_ret, {arg(0, O::equal_to, 1), arg(0, O::equal_to, 2)})}),
              w);
  REQUIRE(decide(p, SYS_socket, {2, 3}) == errno_ret(EPERM));
  REQUIRE(decide(p, SYS_socket, {2, 1}) == SECCOMP_RET_ALLOW);
  REQUIRE(decide(p, SYS_personality, {1}) == errno_ret(EPERM));
  REQUIRE(decide(p, SYS_personality, {2}) == errno_ret(EPERM));
  REQUIRE(decide(p, SYS_personality, {3}) == SECCOMP_RET_ALLOW);
}

TEST_CASE("compile: covered rules dropped before libseccomp answer as before", "[compile][subsumption]") {
  std::vector<std::string> w;
  auto p =
      compile(filter(A::errno_ret,
                     {rule({"personality"}, A::allow, {arg(0, O::equal_to, 7), arg(1, O::equal_to, 0)}),
                      rule({"personality"}, A::allow, {arg(0, O::equal_to, 7), arg(5, O::equal_to, 3)}),
                      rule({"personality"}, A::allow, {arg(0, O::equal_to, 7)}),
                      rule({"personality"}, A::allow, {arg(0, O::equal_to, 8), arg(1, O::equal_to, 0)})}),
              w);
  REQUIRE(decide(p, SYS_personality, {7}) == SECCOMP_RET_ALLOW);
  REQUIRE(decide(p, SYS_personality, {7, 5, 0, 0, 0, 1}) == SECCOMP_RET_ALLOW);
  REQUIRE(decide(p, SYS_personality, {8, 0}) == SECCOMP_RET_ALLOW);
  REQUIRE(decide(p, SYS_personality, {8, 1}) == errno_ret(EPERM));
  REQUIRE(decide(p, SYS_personality, {6}) == errno_ret(EPERM));
}

TEST_CASE("compile: unknown syscall names are skipped with a warning", "[compile]") {
  std::vector<std::string> w;
  auto p = compile(filter(A::errno_ret, {rule({"read", "no_such_syscall_xyz"}, A::allow)}), w);
  REQUIRE(w == std::vector<std::string>{"unknown syscall \"no_such_syscall_xyz\" skipped"});
  REQUIRE(decide(p, SYS_read) == SECCOMP_RET_ALLOW);
}

TEST_CASE("compile: syscalls newer than every named one get ENOSYS, older unnamed ones the default",
          "[compile]") {
  std::vector<std::string> w;
  // Highest named: openat (257). Older unnamed (write, 1) -> default; newer (clone3, 435; 460) -> ENOSYS.
  auto p = compile(filter(A::errno_ret, {rule({"read", "openat"}, A::allow)}), w);
  REQUIRE(decide(p, SYS_write) == errno_ret(EPERM));
  REQUIRE(decide(p, 256) == errno_ret(EPERM));
  REQUIRE(decide(p, SYS_clone3) == errno_ret(ENOSYS));
  REQUIRE(decide(p, 258) == errno_ret(ENOSYS));
  REQUIRE(decide(p, 460) == errno_ret(ENOSYS));
  REQUIRE(decide(p, SYS_openat) == SECCOMP_RET_ALLOW);
  // A denied newer call keeps its own errno.
  auto q =
      compile(filter(A::errno_ret, {rule({"read"}, A::allow), rule({"clone3"}, A::errno_ret, {}, 22u)}), w);
  REQUIRE(decide(q, SYS_clone3) == errno_ret(22));
  REQUIRE(decide(q, SYS_openat) == errno_ret(EPERM));
  REQUIRE(decide(q, SYS_clone3 + 1) == errno_ret(ENOSYS));
  // With an allowing default there is nothing to fall back from.
  auto r = compile(filter(A::allow, {rule({"read"}, A::errno_ret)}), w);
  REQUIRE(decide(r, SYS_clone3) == SECCOMP_RET_ALLOW);
}

TEST_CASE("compile: foreign architectures are killed unless listed", "[compile]") {
  std::vector<std::string> w;
  auto s = filter(A::allow, {rule({"socketcall"}, A::errno_ret, {}, 1u)});
  s.architectures = {"SCMP_ARCH_X86_64"};
  auto p = compile(s, w);
  Call i386;
  i386.arch = AUDIT_ARCH_I386;
  i386.nr = 102;  // socketcall on i386
  REQUIRE(run_bpf(p.insns, i386) == SECCOMP_RET_KILL_PROCESS);
  s.architectures = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86"};
  auto q = compile(s, w);
  REQUIRE(run_bpf(q.insns, i386) == errno_ret(1));
  i386.nr = 20;  // getpid on i386
  REQUIRE(run_bpf(q.insns, i386) == SECCOMP_RET_ALLOW);
}

TEST_CASE("compile: program carries flags", "[compile]") {
  std::vector<std::string> w;
  auto s = filter(A::allow, {rule({"read"}, A::errno_ret)});
  s.flags = {"SECCOMP_FILTER_FLAG_LOG"};
  REQUIRE(compile(s, w).flags == SECCOMP_FILTER_FLAG_LOG);
  REQUIRE_FALSE(compile(s, w).wants_listener);
}
