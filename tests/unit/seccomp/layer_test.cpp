#include "seccomp/layer.hpp"

#include <linux/sched.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/socket.h>

#include <catch2/catch.hpp>

#include "helpers.hpp"
#include "seccomp/agent_profile.hpp"

using namespace agentrt;
using namespace agentrt::seccomp;
using namespace agentrt::seccomp::test;
using A = oci::SeccompAction;
using O = oci::SeccompOp;

namespace {

constexpr uint32_t kAllow = SECCOMP_RET_ALLOW;

Program layered(const oci::Seccomp& request, const std::string& profile = "agent-default") {
  std::vector<std::string> changes, warnings;
  auto out = layer_floor(request, load_agent_profile(profile), changes);
  return compile_layers(out.filter, out.floor_filter, warnings);
}

// A Docker-like request: allowlist, default EPERM, the conditional rules Docker uses.
oci::Seccomp docker_like() {
  return filter(A::errno_ret,
                {rule({"read", "write", "openat", "ptrace", "mount", "unshare", "ioctl", "io_uring_setup",
                       "clone3", "getpid", "exit_group"},
                      A::allow),
                 rule({"socket"}, A::allow, {arg(0, O::not_equal, 40)}),
                 rule({"personality"}, A::allow, {arg(0, O::equal_to, 0)}),
                 rule({"personality"}, A::allow, {arg(0, O::equal_to, 8)}),
                 rule({"personality"}, A::allow, {arg(0, O::equal_to, 0xffffffff)}),
                 rule({"clone"}, A::allow, {arg(0, O::masked_equal, 0x7E020000, 0)})},
                1u);
}

}  // namespace

TEST_CASE("layer: denied calls win over the spec's allow rules, with the profile's errno", "[layer]") {
  auto p = layered(docker_like());
  REQUIRE(decide(p, SYS_ptrace) == errno_ret(EPERM));
  REQUIRE(decide(p, SYS_mount) == errno_ret(EPERM));
  REQUIRE(decide(p, SYS_unshare) == errno_ret(EPERM));
  REQUIRE(decide(p, SYS_io_uring_setup) == errno_ret(ENOSYS));
  REQUIRE(decide(p, SYS_clone3) == errno_ret(ENOSYS));
  REQUIRE(decide(p, SYS_fsopen) ==
          errno_ret(ENOSYS));  // the spec did not name it: the floor's errno still applies
  REQUIRE(decide(p, SYS_read) == kAllow);
  REQUIRE(decide(p, SYS_getpid) == kAllow);
}

TEST_CASE("layer: socket families", "[layer]") {
  auto p = layered(docker_like());
  for (uint64_t fam : std::initializer_list<uint64_t>{AF_UNIX, AF_INET, AF_INET6})
    REQUIRE(decide(p, SYS_socket, {fam, SOCK_STREAM, 0}) == kAllow);
  REQUIRE(decide(p, SYS_socket, {AF_NETLINK, SOCK_RAW, 0}) == kAllow);                   // NETLINK_ROUTE
  REQUIRE(decide(p, SYS_socket, {AF_NETLINK, SOCK_RAW, 4}) == kAllow);                   // NETLINK_SOCK_DIAG
  REQUIRE(decide(p, SYS_socket, {AF_NETLINK, SOCK_RAW, 9}) == errno_ret(EAFNOSUPPORT));  // NETLINK_AUDIT
  for (uint64_t fam : std::initializer_list<uint64_t>{AF_PACKET, AF_ALG, AF_VSOCK, 0, 3, 45, 0x100000002ULL})
    REQUIRE(decide(p, SYS_socket, {fam, SOCK_STREAM, 0}) == errno_ret(EAFNOSUPPORT));
  REQUIRE(decide(p, SYS_socketpair, {AF_UNIX, SOCK_STREAM, 0}) ==
          errno_ret(EPERM));  // the spec never allowed it
}

TEST_CASE("layer: the floor never allows what the spec denied", "[layer]") {
  // The spec allows only AF_UNIX sockets: AF_INET stays denied although the floor would allow it.
  auto p = layered(
      filter(A::errno_ret, {rule({"read"}, A::allow), rule({"socket"}, A::allow, {arg(0, O::equal_to, 1)})}));
  REQUIRE(decide(p, SYS_socket, {AF_UNIX, 1, 0}) == kAllow);
  REQUIRE(decide(p, SYS_socket, {AF_INET, 1, 0}) == errno_ret(EPERM));
  REQUIRE(decide(p, SYS_socket, {AF_PACKET, 1, 0}) == errno_ret(EAFNOSUPPORT));
  // A spec deny rule for a floor call is kept.
  auto q = layered(filter(A::allow, {rule({"socket"}, A::errno_ret, {arg(0, O::equal_to, AF_INET6)}, 13u)}));
  REQUIRE(decide(q, SYS_socket, {AF_INET6, 1, 0}) == errno_ret(13));
  REQUIRE(decide(q, SYS_socket, {AF_INET, 1, 0}) == kAllow);
}

TEST_CASE("layer: a default-allow (denylist) spec still gets the whole floor", "[layer]") {
  auto p = layered(filter(A::allow, {rule({"chmod"}, A::errno_ret)}));
  REQUIRE(decide(p, SYS_chmod) == errno_ret(EPERM));
  REQUIRE(decide(p, SYS_ptrace) == errno_ret(EPERM));
  REQUIRE(decide(p, SYS_socket, {AF_PACKET, 3, 0}) == errno_ret(EAFNOSUPPORT));
  REQUIRE(decide(p, SYS_socket, {AF_INET, 1, 0}) == kAllow);
  REQUIRE(decide(p, SYS_personality, {0x0400000}) == errno_ret(EPERM));  // READ_IMPLIES_EXEC
  REQUIRE(decide(p, SYS_personality, {PER_LINUX32}) == kAllow);
  REQUIRE(decide(p, SYS_ioctl, {0, TIOCSTI}) == errno_ret(EPERM));
  REQUIRE(decide(p, SYS_ioctl, {0, 0x100000000ULL | TIOCSTI}) ==
          errno_ret(EPERM));  // the kernel truncates cmd
  REQUIRE(decide(p, SYS_ioctl, {0, TIOCLINUX}) == errno_ret(EPERM));
  REQUIRE(decide(p, SYS_ioctl, {0, TCGETS}) == kAllow);
  REQUIRE(decide(p, SYS_clone, {CLONE_NEWUSER}) == errno_ret(EPERM));
  REQUIRE(decide(p, SYS_clone, {CLONE_NEWNET | CLONE_VM}) == errno_ret(EPERM));
  REQUIRE(decide(p, SYS_clone, {CLONE_VM | CLONE_FS | CLONE_THREAD | CLONE_SIGHAND}) == kAllow);
  REQUIRE(decide(p, SYS_keyctl) == errno_ret(EPERM));
  REQUIRE(decide(p, SYS_getpid) == kAllow);
  REQUIRE(decide(p, 460) == kAllow);  // an allowing default has no ENOSYS fallback
}

TEST_CASE("layer: personality keeps the spec's narrower allow list", "[layer]") {
  auto p = layered(docker_like());
  REQUIRE(decide(p, SYS_personality, {0}) == kAllow);
  REQUIRE(decide(p, SYS_personality, {0xffffffff}) == kAllow);
  REQUIRE(decide(p, SYS_personality, {0x20000}) == errno_ret(EPERM));  // floor allows it, the spec did not
  REQUIRE(decide(p, SYS_personality, {ADDR_NO_RANDOMIZE}) == errno_ret(EPERM));
}

TEST_CASE("layer: agent-dev allows debugging, agent-nested user namespaces and mounts", "[layer]") {
  auto dev = layered(docker_like(), "agent-dev");
  REQUIRE(decide(dev, SYS_ptrace) == kAllow);
  REQUIRE(decide(dev, SYS_mount) == errno_ret(EPERM));
  auto full = base_filter();
  std::vector<std::string> ch, w;
  auto dev_full = compile(layer_floor(full, load_agent_profile("agent-dev"), ch).filter, w);
  REQUIRE(decide(dev_full, SYS_perf_event_open) == kAllow);
  REQUIRE(decide(dev_full, SYS_process_vm_readv) == kAllow);
  REQUIRE(decide(dev_full, SYS_personality, {ADDR_NO_RANDOMIZE}) == kAllow);
  REQUIRE(decide(dev_full, SYS_kcmp) == errno_ret(EPERM));
  auto nested = compile(layer_floor(full, load_agent_profile("agent-nested"), ch).filter, w);
  REQUIRE(decide(nested, SYS_unshare, {CLONE_NEWUSER}) == kAllow);
  REQUIRE(decide(nested, SYS_clone, {CLONE_NEWUSER | CLONE_NEWPID}) == kAllow);
  REQUIRE(decide(nested, SYS_mount) == kAllow);
  REQUIRE(decide(nested, SYS_fsopen) == kAllow);
  REQUIRE(decide(nested, SYS_ptrace) == errno_ret(EPERM));
  REQUIRE(decide(nested, SYS_setns) == errno_ret(EPERM));
  REQUIRE(decide(nested, SYS_socket, {AF_PACKET, 3, 0}) == errno_ret(EAFNOSUPPORT));
}

TEST_CASE("layer: the full agent-default filter keeps Docker's allowances", "[layer]") {
  std::vector<std::string> ch, w;
  auto p = compile(layer_floor(base_filter(), load_agent_profile("agent-default"), ch).filter, w);
  REQUIRE(w.empty());
  REQUIRE(p.insns.size() < BPF_MAXINSNS);
  for (int nr : {SYS_seccomp, SYS_prctl, SYS_landlock_create_ruleset, SYS_pidfd_open, SYS_memfd_create,
                 SYS_execveat, SYS_read, SYS_openat, SYS_futex, SYS_rseq})
    REQUIRE(decide(p, nr) == kAllow);
  REQUIRE(decide(p, SYS_clone, {CLONE_VM | CLONE_THREAD | CLONE_SIGHAND}) == kAllow);
  for (int nr : {SYS_bpf,
                 SYS_perf_event_open,
                 SYS_userfaultfd,
                 SYS_add_key,
                 SYS_request_key,
                 SYS_init_module,
                 SYS_finit_module,
                 SYS_kexec_load,
                 SYS_reboot,
                 SYS_swapon,
                 SYS_acct,
                 SYS_syslog,
                 SYS_iopl,
                 SYS_ioperm,
                 SYS_settimeofday,
                 SYS_clock_settime,
                 SYS_sethostname,
                 SYS_open_by_handle_at,
                 SYS_fanotify_init,
                 SYS_mbind,
                 SYS_move_pages,
                 SYS_modify_ldt,
                 SYS_process_madvise,
                 SYS_pidfd_getfd,
                 SYS_chroot,
                 SYS_pivot_root,
                 SYS_setns,
                 SYS_umount2,
                 SYS_lookup_dcookie,
                 SYS_vhangup})
    REQUIRE(decide(p, nr) == errno_ret(EPERM));
  for (int nr : {SYS_open_tree, SYS_move_mount, SYS_fsconfig, SYS_fsmount, SYS_fspick, SYS_mount_setattr,
                 SYS_io_uring_enter, SYS_io_uring_register})
    REQUIRE(decide(p, nr) == errno_ret(ENOSYS));
  REQUIRE(decide(p, 455) == errno_ret(ENOSYS));  // newer than anything named
  REQUIRE(decide(p, SYS_nfsservctl) == errno_ret(EPERM));
}

TEST_CASE("layer: native architecture only, and every change is reported", "[layer]") {
  auto req = docker_like();
  req.architectures = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"};
  req.listener_path = "/run/listener.sock";
  std::vector<std::string> changes;
  auto out = layer_floor(req, load_agent_profile("agent-default"), changes).filter;
  REQUIRE(out.architectures == std::vector<std::string>{"SCMP_ARCH_X86_64"});
  REQUIRE(out.listener_path == "/run/listener.sock");
  REQUIRE(out.default_action == A::errno_ret);
  auto has = [&](const std::string& s) {
    return std::any_of(changes.begin(), changes.end(),
                       [&](const std::string& c) { return c.find(s) != std::string::npos; });
  };
  REQUIRE(has("architectures set to SCMP_ARCH_X86_64 only"));
  REQUIRE(has("replaced the spec's SCMP_ACT_ALLOW rule for ptrace"));
  REQUIRE(has("agent-default denies"));
  REQUIRE(has("restricts arguments of clone ioctl personality socket socketpair"));
  std::vector<std::string> w;
  auto p = compile(out, w);
  Call i386;
  i386.arch = AUDIT_ARCH_I386;
  i386.nr = 102;
  REQUIRE(run_bpf(p.insns, i386) == SECCOMP_RET_KILL_PROCESS);
}

TEST_CASE("layer: x32 syscall numbers on the native arch do not reach the 64-bit rules", "[layer]") {
  std::vector<std::string> ch, w;
  auto p = compile(layer_floor(base_filter(), load_agent_profile("agent-default"), ch).filter, w);
  Call x32;
  x32.nr = 0x40000000 | SYS_socket;
  x32.args = {AF_PACKET, 3, 0};
  uint32_t ret = run_bpf(p.insns, x32);
  REQUIRE(ret != SECCOMP_RET_ALLOW);
  REQUIRE(action_of(ret) == SECCOMP_RET_KILL_PROCESS);
  INFO("full agent-default filter: " << p.insns.size() << " instructions");
  REQUIRE(p.insns.size() < 2000);
}
