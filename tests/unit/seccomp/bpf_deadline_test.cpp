#include "seccomp/bpf_deadline.hpp"

#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <cstring>

#include "helpers.hpp"
#include "oci/support/error.hpp"

using namespace agentrt;
using namespace agentrt::seccomp;
using namespace agentrt::seccomp::test;
using A = oci::SeccompAction;
using O = oci::SeccompOp;

namespace {

bool same_program(const std::vector<sock_filter>& a, const std::vector<sock_filter>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(sock_filter)) == 0;
}

}  // namespace

TEST_CASE("bpf deadline: the child's program and warnings equal an in-process build", "[bpf-deadline]") {
  auto rules = build_ruleset(filter(
      A::errno_ret, {rule({"read", "write"}, A::allow), rule({"socket"}, A::allow, {arg(0, O::equal_to, 1)}),
                     rule({"no_such_call"}, A::allow)}));
  std::vector<std::string> direct_warnings, child_warnings;
  auto direct = build_bpf(rules, direct_warnings);
  auto child = build_bpf_within(rules, child_warnings, kCompileDeadline);
  REQUIRE(same_program(direct, child));
  REQUIRE(child_warnings == direct_warnings);
  REQUIRE_FALSE(child_warnings.empty());
}

TEST_CASE("bpf deadline: libseccomp's error comes back as the same message", "[bpf-deadline]") {
  // libseccomp refuses an errno above 4095 in a rule's action.
  auto rules = build_ruleset(filter(A::allow, {rule({"read"}, A::errno_ret, {}, 5000u)}));
  std::vector<std::string> w;
  std::string direct;
  try {
    build_bpf(rules, w);
  } catch (const Error& e) {
    direct = e.what();
  }
  REQUIRE_FALSE(direct.empty());
  REQUIRE_THROWS_WITH(build_bpf_within(rules, w, kCompileDeadline), direct);
}

TEST_CASE("bpf deadline: a rule set libseccomp 2.5.4 never finishes ends in an error, no child left",
          "[bpf-deadline]") {
  auto rules = build_ruleset(filter(
      A::errno_ret, {rule({"read"}, A::allow, {arg(1, O::masked_equal, 1, 0)}),
                     rule({"read"}, A::allow,
                          {arg(1, O::equal_to, 2), arg(0, O::greater_equal, 0), arg(5, O::less_equal, 2)}),
                     rule({"read"}, A::allow, {arg(0, O::greater_than, 0), arg(4, O::less_equal, 2)}),
                     rule({"read"}, A::allow, {arg(0, O::greater_equal, 0), arg(5, O::greater_equal, 2)})}));
  std::vector<std::string> w;
  try {
    auto insns = build_bpf_within(rules, w, std::chrono::milliseconds(1500));
    // A libseccomp without the bug compiles it; then the program must be a real one.
    REQUIRE_FALSE(insns.empty());
  } catch (const Error& e) {
    REQUIRE_THAT(e.what(), Catch::Contains("linux.seccomp: libseccomp did not finish compiling the filter"));
  }
  REQUIRE(waitpid(-1, nullptr, WNOHANG) < 0);
  REQUIRE(errno == ECHILD);
}
