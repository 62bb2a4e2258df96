// The audited floor (seccomp::audit_floor): where the plain floor's errno answers, the audited program
// notifies (and the supervisor replies with that errno); everywhere else both programs answer alike.
#include <linux/sched.h>
#include <sys/socket.h>

#include <catch2/catch.hpp>

#include "helpers.hpp"
#include "seccomp/agent_policy.hpp"
#include "seccomp/agent_profile.hpp"
#include "seccomp/layer.hpp"

using namespace agentrt;
using namespace agentrt::seccomp;
using namespace agentrt::seccomp::test;
using A = oci::SeccompAction;
using O = oci::SeccompOp;

namespace {

Program layered(const oci::Seccomp& request, const AgentProfile& profile, bool* stacked = nullptr) {
  std::vector<std::string> changes, warnings;
  auto out = layer_floor(request, profile, changes);
  if (stacked) *stacked = out.floor_filter.has_value();
  return compile_layers(out.filter, out.floor_filter, warnings);
}

// Every native call number with zero arguments, and the argument values the floor's regions split on.
Call call(int nr, std::array<uint64_t, 6> args = {}) {
  Call c;
  c.nr = nr;
  c.args = args;
  return c;
}

std::vector<Call> sample_calls() {
  std::vector<Call> calls;
  for (int nr = 0; nr < 460; ++nr) calls.push_back(call(nr));
  for (uint64_t family : {AF_UNIX, AF_INET, AF_INET6, AF_NETLINK, AF_PACKET, 38, 40})
    calls.push_back(call(SYS_socket, {family, SOCK_STREAM, 0, 0, 0, 0}));
  for (uint64_t flags : {0x11ul, static_cast<uint64_t>(CLONE_NEWUSER), static_cast<uint64_t>(CLONE_NEWNET),
                         static_cast<uint64_t>(CLONE_THREAD | CLONE_VM)})
    calls.push_back(call(SYS_clone, {flags, 0, 0, 0, 0, 0}));
  for (uint64_t persona : {0ul, 8ul, 0xfffffffful, 0x0400000ul})
    calls.push_back(call(SYS_personality, {persona, 0, 0, 0, 0, 0}));
  calls.push_back(call(SYS_ioctl, {0, 0x5412 /* TIOCSTI */, 0, 0, 0, 0}));
  return calls;
}

// For every sampled call: notified exactly where the plain floor answered with its own errno for that call.
void check_same_answers(const oci::Seccomp& request, int* notified) {
  AgentProfile plain = load_agent_profile("agent-default");
  bool stacked_plain = false, stacked_audit = false;
  Program p = layered(request, plain, &stacked_plain);
  Program a = layered(request, audit_floor(plain), &stacked_audit);
  REQUIRE(stacked_plain == stacked_audit);
  REQUIRE(a.wants_listener);
  std::vector<AuditedCall> table = policy::audited_calls(policy::Profile::agent_default);
  for (const Call& c : sample_calls()) {
    uint32_t want = decide(p, c.nr, c.args), got = decide(a, c.nr, c.args);
    INFO("syscall " << c.nr << " arg0 " << c.args[0]);
    if (action_of(got) == SECCOMP_RET_USER_NOTIF) {
      ++*notified;
      const AuditedCall* call = nullptr;
      for (const auto& t : table)
        if (t.nr == c.nr) call = &t;
      REQUIRE(call);
      REQUIRE(want == errno_ret(call->errno_ret));
    } else {
      REQUIRE(got == want);
    }
  }
}

}  // namespace

TEST_CASE("audit: the floor's ERRNO rules become NOTIFY, keeping their errno for the reply", "[audit]") {
  AgentProfile a = audit_floor(load_agent_profile("agent-default"));
  for (const auto& f : a.floor) {
    INFO(f.syscall);
    CHECK(f.action == A::notify);
  }
  auto calls = policy::audited_calls(policy::Profile::agent_default);
  bool mount = false, clone3 = false;
  for (const auto& c : calls) {
    mount |= c.name == "mount" && c.nr == SYS_mount && c.errno_ret == EPERM;
    clone3 |= c.name == "clone3" && c.errno_ret == ENOSYS;
  }
  CHECK(mount);
  CHECK(clone3);
  CHECK(policy::audited_calls(policy::Profile::off).empty());
}

TEST_CASE("audit: merged with an allowlist, notified exactly where the floor's errno answered", "[audit]") {
  // ptrace allowed by the engine, mount and unshare not named (its default EPERM): both denied by the floor,
  // which wins the tie, so both notify; the engine's own default keeps answering for calls the floor allows.
  oci::Seccomp request = filter(
      A::errno_ret,
      {rule({"read", "write", "openat", "ptrace", "ioctl", "clone3", "getpid", "exit_group"}, A::allow),
       rule({"socket"}, A::allow, {arg(0, O::not_equal, 40)}),
       rule({"clone"}, A::allow, {arg(0, O::masked_equal, 0x7E020000, 0)})},
      1u);
  int notified = 0;
  check_same_answers(request, &notified);
  CHECK(notified > 50);
}

TEST_CASE("audit: merged with a denylist (default allow) and with the base filter", "[audit]") {
  int notified = 0;
  check_same_answers(filter(A::allow, {rule({"kill"}, A::errno_ret, {}, 13u)}), &notified);
  check_same_answers(base_filter(), &notified);
  CHECK(notified > 100);
}

TEST_CASE("audit: an engine KILL still beats the floor", "[audit]") {
  oci::Seccomp request = filter(A::allow, {rule({"mount"}, A::kill_process)});
  AgentProfile audited = audit_floor(load_agent_profile("agent-default"));
  Program a = layered(request, audited);
  CHECK(action_of(decide(a, SYS_mount)) == SECCOMP_RET_KILL_PROCESS);
  CHECK(action_of(decide(a, SYS_ptrace)) == SECCOMP_RET_USER_NOTIF);
}

TEST_CASE("audit: apply_agent_policy keeps the plain floor when the engine has its own listener", "[audit]") {
  oci::Spec spec;
  spec.process.emplace();
  spec.linux.emplace();
  spec.linux->seccomp = filter(A::allow, {rule({"memfd_create"}, A::notify)});
  spec.linux->seccomp->listener_path = "/run/engine.sock";
  auto report = policy::apply_agent_policy(spec, policy::Profile::agent_default, true);
  CHECK(report.seccomp_audit == "engine-listener");
  CHECK(report.to_json()["audit"]["seccomp"] == "engine-listener");
  std::vector<std::string> warnings;
  Program p = compile_layers(*spec.linux->seccomp, report.floor_filter, warnings);
  CHECK(decide(p, SYS_mount) == errno_ret(EPERM));
  CHECK(action_of(decide(p, SYS_memfd_create)) == SECCOMP_RET_USER_NOTIF);

  oci::Spec plain;
  plain.process.emplace();
  report = policy::apply_agent_policy(plain, policy::Profile::agent_default, true);
  CHECK(report.seccomp_audit == "notify");
  p = compile_layers(*plain.linux->seccomp, report.floor_filter, warnings);
  CHECK(action_of(decide(p, SYS_mount)) == SECCOMP_RET_USER_NOTIF);
  CHECK(decide(p, SYS_getpid) == SECCOMP_RET_ALLOW);
}

TEST_CASE("audit: stacked, an engine ERRNO wins over the floor's NOTIFY (kernel precedence)", "[audit]") {
  // An ordered comparison on a floor call keeps the floor a second filter (layer.cpp).
  oci::Seccomp request = filter(A::errno_ret,
                                {rule({"read", "ptrace", "getpid", "exit_group"}, A::allow),
                                 rule({"personality"}, A::allow, {arg(0, O::greater_equal, 8)})},
                                13u);
  bool stacked = false;
  Program a = layered(request, audit_floor(load_agent_profile("agent-default")), &stacked);
  REQUIRE(stacked);
  REQUIRE(a.wants_listener);
  CHECK(action_of(decide(a, SYS_ptrace)) == SECCOMP_RET_USER_NOTIF);  // only the floor denies it
  // The engine denies chroot too (its default, below its highest named call): its errno, no notification.
  CHECK(decide(a, SYS_chroot) == errno_ret(13));
  CHECK(decide(a, SYS_getpid) == SECCOMP_RET_ALLOW);
  oci::Spec spec;
  spec.process.emplace();
  spec.linux.emplace();
  spec.linux->seccomp = request;
  auto report = policy::apply_agent_policy(spec, policy::Profile::agent_default, true);
  CHECK(report.seccomp_layering == "stacked");
  bool noted = false;
  for (const auto& c : report.changes) noted |= c.find("audit: the floor is stacked") == 0;
  CHECK(noted);
}
