#include "seccomp/ruleset.hpp"

#include <linux/seccomp.h>

#include <catch2/catch.hpp>

#include "helpers.hpp"
#include "oci/support/error.hpp"

using namespace agentrt;
using namespace agentrt::seccomp;
using namespace agentrt::seccomp::test;
using A = oci::SeccompAction;
using O = oci::SeccompOp;

TEST_CASE("ruleset: architectures resolve and unknown ones name the field", "[ruleset]") {
  auto s = filter(A::allow, {});
  s.architectures = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86"};
  auto r = build_ruleset(s);
  REQUIRE(r.arches == std::vector<uint32_t>{AUDIT_ARCH_X86_64, AUDIT_ARCH_I386});
  s.architectures = {"SCMP_ARCH_X86_64", "SCMP_ARCH_VAX"};
  REQUIRE_THROWS_WITH(build_ruleset(s),
                      "linux.seccomp.architectures[1]: unknown architecture \"SCMP_ARCH_VAX\"");
}

TEST_CASE("ruleset: filter flags map to SECCOMP_FILTER_FLAG bits", "[ruleset]") {
  auto s = filter(A::allow, {});
  s.flags = {"SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
             "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"};
  REQUIRE(build_ruleset(s).flags ==
          (SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_LOG | SECCOMP_FILTER_FLAG_SPEC_ALLOW |
           SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV));
  s.flags = {"SECCOMP_FILTER_FLAG_BOGUS"};
  REQUIRE_THROWS_WITH(build_ruleset(s),
                      "linux.seccomp.flags[0]: unknown seccomp filter flag \"SECCOMP_FILTER_FLAG_BOGUS\"");
}

TEST_CASE("ruleset: one rule per name, errno defaults to EPERM", "[ruleset]") {
  auto r = build_ruleset(
      filter(A::allow, {rule({"ptrace", "kcmp"}, A::errno_ret), rule({"bpf"}, A::errno_ret, {}, 38u)}));
  REQUIRE(r.rules.size() == 3);
  REQUIRE(r.rules[0].syscall == "ptrace");
  REQUIRE(r.rules[1].syscall == "kcmp");
  REQUIRE(r.rules[0].action.errno_ret == EPERM);
  REQUIRE(r.rules[2].action.errno_ret == 38);
  REQUIRE(r.default_action.kind == A::allow);
}

TEST_CASE("ruleset: several comparisons on one argument become separate rules", "[ruleset]") {
  auto r = build_ruleset(
      filter(A::errno_ret, {rule({"personality"}, A::allow, {arg(0, O::equal_to, 0), arg(0, O::equal_to, 8)}),
                            rule({"socket"}, A::allow, {arg(0, O::equal_to, 2), arg(1, O::equal_to, 1)})}));
  REQUIRE(r.rules.size() == 3);
  REQUIRE(r.rules[0].conditions.size() == 1);
  REQUIRE(r.rules[0].conditions[0].value == 0);
  REQUIRE(r.rules[1].conditions[0].value == 8);
  REQUIRE(r.rules[2].conditions.size() == 2);  // different indices stay one AND rule
}

TEST_CASE("ruleset: notify sets wants_listener and cannot be the default", "[ruleset]") {
  REQUIRE(build_ruleset(filter(A::allow, {rule({"mount"}, A::notify)})).wants_listener);
  REQUIRE_FALSE(build_ruleset(filter(A::allow, {rule({"mount"}, A::errno_ret)})).wants_listener);
  REQUIRE_THROWS_WITH(build_ruleset(filter(A::notify, {})),
                      "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action");
}

TEST_CASE("ruleset: argument index above 5 is an error naming the field", "[ruleset]") {
  REQUIRE_THROWS_WITH(
      build_ruleset(filter(A::allow, {rule({"read"}, A::errno_ret, {arg(6, O::equal_to, 0)})})),
      "linux.seccomp.syscalls[0].args[0].index: expected integer in range [0, 5], got 6");
}

TEST_CASE("ruleset: canonical form changes with every input that matters", "[ruleset]") {
  auto base = filter(A::errno_ret, {rule({"read"}, A::allow)});
  std::string c0 = canonical(build_ruleset(base));
  REQUIRE(c0 == canonical(build_ruleset(base)));
  auto other = base;
  other.default_errno_ret = 38;
  REQUIRE(canonical(build_ruleset(other)) != c0);
  other = base;
  other.syscalls[0].args = {arg(0, O::equal_to, 1)};
  REQUIRE(canonical(build_ruleset(other)) != c0);
  other = base;
  other.flags = {"SECCOMP_FILTER_FLAG_LOG"};
  REQUIRE(canonical(build_ruleset(other)) != c0);
}

TEST_CASE("ruleset: a rule another rule of the same action covers is dropped", "[ruleset][subsumption]") {
  // The fuzzer's case: the floor's personality rules layered over an engine's gave these three, and
  // libseccomp 2.5.4 leaked the tree nodes it pruned when the third arrived.
  auto r = build_ruleset(
      filter(A::errno_ret, {rule({"personality"}, A::allow, {arg(0, O::equal_to, 7), arg(1, O::equal_to, 0)}),
                            rule({"personality"}, A::allow, {arg(0, O::equal_to, 7), arg(5, O::equal_to, 3)}),
                            rule({"personality"}, A::allow, {arg(0, O::equal_to, 7)}),
                            rule({"personality"}, A::allow, {arg(0, O::equal_to, 7)}),
                            rule({"personality"}, A::allow, {arg(0, O::equal_to, 9)})}));
  REQUIRE(r.rules.size() == 2);
  REQUIRE(r.rules[0].conditions.size() == 1);
  REQUIRE(r.rules[0].conditions[0].value == 7);
  REQUIRE(r.rules[1].conditions[0].value == 9);
}

TEST_CASE("ruleset: covering rules stay when the syscall has rules with other actions",
          "[ruleset][subsumption]") {
  auto r = build_ruleset(
      filter(A::errno_ret, {rule({"kill"}, A::allow, {arg(0, O::equal_to, 1), arg(1, O::equal_to, 9)}),
                            rule({"kill"}, A::errno_ret, {arg(1, O::equal_to, 9)}),
                            rule({"kill"}, A::allow, {arg(0, O::equal_to, 1)})}));
  REQUIRE(r.rules.size() == 3);
}

TEST_CASE("ruleset: masked comparisons differ by their expected value", "[ruleset][subsumption]") {
  auto r =
      build_ruleset(filter(A::errno_ret, {rule({"clone"}, A::allow, {arg(0, O::masked_equal, 0x10, 0)}),
                                          rule({"clone"}, A::allow, {arg(0, O::masked_equal, 0x10, 0x10)})}));
  REQUIRE(r.rules.size() == 2);
}
