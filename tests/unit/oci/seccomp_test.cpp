// linux.seccomp
#include <catch2/catch.hpp>

#include "full_config.hpp"
#include "helpers.hpp"

using namespace agentrt::oci;
using namespace agentrt::oci::test;
using nlohmann::json;

namespace {

std::string seccomp_error(json seccomp) {
  return spec_error(set(minimal(), "/linux/seccomp", std::move(seccomp)));
}

json with_syscall(json syscall) {
  return {{"defaultAction", "SCMP_ACT_ALLOW"}, {"syscalls", json::array({std::move(syscall)})}};
}

}  // namespace

TEST_CASE("every seccomp field is parsed", "[parse][seccomp]") {
  const Seccomp s = *parse_spec(json::parse(kFullConfig)).linux->seccomp;
  CHECK(s.default_action == SeccompAction::errno_ret);
  CHECK(s.default_errno_ret == 38u);
  CHECK(s.architectures == std::vector<std::string>{"SCMP_ARCH_X86_64", "SCMP_ARCH_X86"});
  CHECK(s.flags == std::vector<std::string>{"SECCOMP_FILTER_FLAG_LOG"});
  CHECK(s.listener_path == "/run/agentrt/seccomp.sock");
  CHECK(s.listener_metadata == "agent-1");
  REQUIRE(s.syscalls.size() == 3);
  CHECK(s.syscalls[0].names == std::vector<std::string>{"read", "write"});
  CHECK(s.syscalls[0].action == SeccompAction::allow);
  CHECK_FALSE(s.syscalls[0].errno_ret);
  CHECK(s.syscalls[0].args.empty());
  const SeccompSyscall& p = s.syscalls[1];
  CHECK(p.names == std::vector<std::string>{"personality"});
  CHECK(p.action == SeccompAction::errno_ret);
  CHECK(p.errno_ret == 1u);
  REQUIRE(p.args.size() == 2);
  CHECK(p.args[0].index == 0);
  CHECK(p.args[0].value == 8);
  CHECK(p.args[0].value_two == 0);
  CHECK(p.args[0].op == SeccompOp::not_equal);
  CHECK(p.args[1].index == 5);
  CHECK(p.args[1].value == 255);
  CHECK(p.args[1].value_two == 8);
  CHECK(p.args[1].op == SeccompOp::masked_equal);
  CHECK(s.syscalls[2].action == SeccompAction::notify);
}

TEST_CASE("every action and op name is accepted", "[parse][seccomp]") {
  const std::vector<std::pair<const char*, SeccompAction>> actions{
      {"SCMP_ACT_KILL", SeccompAction::kill},
      {"SCMP_ACT_KILL_PROCESS", SeccompAction::kill_process},
      {"SCMP_ACT_KILL_THREAD", SeccompAction::kill_thread},
      {"SCMP_ACT_TRAP", SeccompAction::trap},
      {"SCMP_ACT_ERRNO", SeccompAction::errno_ret},
      {"SCMP_ACT_TRACE", SeccompAction::trace},
      {"SCMP_ACT_ALLOW", SeccompAction::allow},
      {"SCMP_ACT_LOG", SeccompAction::log},
      {"SCMP_ACT_NOTIFY", SeccompAction::notify}};
  for (const auto& [name, action] : actions) {
    json j = set(minimal(), "/linux/seccomp", {{"defaultAction", name}});
    CHECK(parse_spec(j).linux->seccomp->default_action == action);
  }
  const std::vector<std::pair<const char*, SeccompOp>> ops{
      {"SCMP_CMP_NE", SeccompOp::not_equal},          {"SCMP_CMP_LT", SeccompOp::less_than},
      {"SCMP_CMP_LE", SeccompOp::less_equal},         {"SCMP_CMP_EQ", SeccompOp::equal_to},
      {"SCMP_CMP_GE", SeccompOp::greater_equal},      {"SCMP_CMP_GT", SeccompOp::greater_than},
      {"SCMP_CMP_MASKED_EQ", SeccompOp::masked_equal}};
  for (const auto& [name, op] : ops) {
    json sc = {{"names", {"ioctl"}},
               {"action", "SCMP_ACT_ERRNO"},
               {"args", json::array({{{"index", 1}, {"value", 2}, {"op", name}}})}};
    json j = set(minimal(), "/linux/seccomp", with_syscall(sc));
    CHECK(parse_spec(j).linux->seccomp->syscalls[0].args[0].op == op);
  }
}

TEST_CASE("seccomp errors", "[parse][seccomp]") {
  CHECK(seccomp_error({{"architectures", {"SCMP_ARCH_X86_64"}}}) == "linux.seccomp.defaultAction: required");
  CHECK(seccomp_error({{"defaultAction", "SCMP_ACT_FOO"}}) ==
        "linux.seccomp.defaultAction: unknown action \"SCMP_ACT_FOO\"");
  CHECK(seccomp_error(with_syscall({{"names", {"read"}}, {"action", "SCMP_ACT_FOO"}})) ==
        "linux.seccomp.syscalls[0].action: unknown action \"SCMP_ACT_FOO\"");
  CHECK(seccomp_error(with_syscall({{"names", {"read"}}})) == "linux.seccomp.syscalls[0].action: required");
  CHECK(seccomp_error(with_syscall({{"action", "SCMP_ACT_ALLOW"}})) ==
        "linux.seccomp.syscalls[0].names: required");
  CHECK(seccomp_error(with_syscall({{"names", json::array()}, {"action", "SCMP_ACT_ALLOW"}})) ==
        "linux.seccomp.syscalls[0].names: must not be empty");
  json arg = {{"index", 0}, {"value", 1}, {"op", "SCMP_CMP_FOO"}};
  CHECK(seccomp_error(with_syscall({{"names", {"read"}}, {"action", "SCMP_ACT_ALLOW"}, {"args", {arg}}})) ==
        "linux.seccomp.syscalls[0].args[0].op: unknown op \"SCMP_CMP_FOO\"");
  arg = {{"index", 6}, {"value", 1}, {"op", "SCMP_CMP_EQ"}};
  CHECK(seccomp_error(with_syscall({{"names", {"read"}}, {"action", "SCMP_ACT_ALLOW"}, {"args", {arg}}})) ==
        "linux.seccomp.syscalls[0].args[0].index: expected integer in range [0, 5], got 6");
  arg = {{"index", 0}, {"op", "SCMP_CMP_EQ"}};
  CHECK(seccomp_error(with_syscall({{"names", {"read"}}, {"action", "SCMP_ACT_ALLOW"}, {"args", {arg}}})) ==
        "linux.seccomp.syscalls[0].args[0].value: required");
  CHECK(seccomp_error(with_syscall({{"names", {"read"}}, {"action", "SCMP_ACT_ERRNO"}, {"errnoRet", -1}})) ==
        "linux.seccomp.syscalls[0].errnoRet: expected non-negative integer, got -1");
  CHECK(seccomp_error({{"defaultAction", "SCMP_ACT_ALLOW"}, {"defaultErrnoRet", "EPERM"}}) ==
        "linux.seccomp.defaultErrnoRet: expected integer, got string");
}

TEST_CASE("architecture and flag names are kept as strings", "[parse][seccomp]") {
  // The seccomp module knows which names libseccomp supports; the parser passes them through.
  json s = {{"defaultAction", "SCMP_ACT_ALLOW"},
            {"architectures", {"SCMP_ARCH_NOT_REAL"}},
            {"flags", {"SECCOMP_FILTER_FLAG_FUTURE"}}};
  Seccomp parsed = *parse_spec(set(minimal(), "/linux/seccomp", s)).linux->seccomp;
  CHECK(parsed.architectures == std::vector<std::string>{"SCMP_ARCH_NOT_REAL"});
  CHECK(parsed.flags == std::vector<std::string>{"SECCOMP_FILTER_FLAG_FUTURE"});
  CHECK(parsed.syscalls.empty());
}
