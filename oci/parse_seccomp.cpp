// linux.seccomp. Architecture and flag names stay strings: the seccomp module knows which ones libseccomp
// has.
#include "oci/parse_internal.hpp"

namespace agentrt::oci::detail {
namespace {

SeccompAction parse_action(const Node& n) {
  std::string name = n.required().str();
  auto action = seccomp_action_from_name(name);
  if (!action) n.fail("unknown action \"" + name + "\"");
  return *action;
}

std::vector<SeccompArg> parse_args(const Node& n) {
  std::vector<SeccompArg> out;
  for (const Node& item : n.items()) {
    SeccompArg a;
    Node index = item.object()["index"];
    a.index = index.required().integer<uint32_t>();
    if (a.index > 5) index.fail("expected integer in range [0, 5], got " + std::to_string(a.index));
    a.value = item["value"].required().integer<uint64_t>();
    a.value_two = item["valueTwo"].opt_int<uint64_t>().value_or(0);
    Node op = item["op"];
    std::string name = op.required().str();
    auto parsed = seccomp_op_from_name(name);
    if (!parsed) op.fail("unknown op \"" + name + "\"");
    a.op = *parsed;
    out.push_back(a);
  }
  return out;
}

std::vector<SeccompSyscall> parse_syscalls(const Node& n) {
  std::vector<SeccompSyscall> out;
  for (const Node& item : n.items()) {
    SeccompSyscall s;
    Node names = item.object()["names"];
    s.names = names.required().str_list();
    if (s.names.empty()) names.fail("must not be empty");
    s.action = parse_action(item["action"]);
    s.errno_ret = item["errnoRet"].opt_int<uint32_t>();
    s.args = parse_args(item["args"]);
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace

Seccomp parse_seccomp(const Node& n) {
  n.object();
  Seccomp s;
  s.default_action = parse_action(n["defaultAction"]);
  s.default_errno_ret = n["defaultErrnoRet"].opt_int<uint32_t>();
  s.architectures = n["architectures"].str_list();
  s.flags = n["flags"].str_list();
  s.listener_path = n["listenerPath"].str_or("");
  s.listener_metadata = n["listenerMetadata"].str_or("");
  s.syscalls = parse_syscalls(n["syscalls"]);
  return s;
}

}  // namespace agentrt::oci::detail
