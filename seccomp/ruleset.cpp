#include "seccomp/ruleset.hpp"

#include <linux/seccomp.h>

#include <cerrno>
#include <map>
#include <sstream>

#include "oci/support/error.hpp"
#include "seccomp/arch.hpp"
#include "seccomp/rule_subsumption.hpp"

namespace agentrt::seccomp {
namespace {

const std::string kField = "linux.seccomp";

unsigned flag_from_name(const std::string& name) {
  static const std::map<std::string, unsigned> flags{
      {"SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_FILTER_FLAG_TSYNC},
      {"SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG},
      {"SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW},
      {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV},
  };
  auto it = flags.find(name);
  return it == flags.end() ? 0 : it->second;
}

Condition to_condition(const oci::SeccompArg& a) {
  return Condition{a.index, a.op, a.value, a.value_two};
}

// libseccomp rejects two comparisons on the same argument in one rule; like runc, such a rule becomes one
// rule per comparison.
std::vector<std::vector<Condition>> split_conditions(const std::vector<oci::SeccompArg>& args) {
  bool repeated = false;
  for (size_t i = 0; i < args.size(); ++i)
    for (size_t j = i + 1; j < args.size(); ++j)
      if (args[i].index == args[j].index) repeated = true;
  std::vector<std::vector<Condition>> out;
  if (!repeated) {
    std::vector<Condition> all;
    for (const auto& a : args) all.push_back(to_condition(a));
    out.push_back(std::move(all));
    return out;
  }
  for (const auto& a : args) out.push_back({to_condition(a)});
  return out;
}

}  // namespace

Action to_action(oci::SeccompAction a, std::optional<uint32_t> errno_ret) {
  Action out{a, 0};
  if (a == oci::SeccompAction::errno_ret || a == oci::SeccompAction::trace)
    out.errno_ret = errno_ret.value_or(EPERM);
  return out;
}

RuleSet build_ruleset(const oci::Seccomp& s) {
  RuleSet r;
  if (s.default_action == oci::SeccompAction::notify)
    throw Error(kField + ".defaultAction: SCMP_ACT_NOTIFY cannot be the default action");
  r.default_action = to_action(s.default_action, s.default_errno_ret);
  for (size_t i = 0; i < s.architectures.size(); ++i) {
    auto token = arch_from_name(s.architectures[i]);
    if (!token)
      throw Error(kField + ".architectures[" + std::to_string(i) + "]: unknown architecture \"" +
                  s.architectures[i] + "\"");
    r.arches.push_back(*token);
  }
  for (size_t i = 0; i < s.flags.size(); ++i) {
    unsigned f = flag_from_name(s.flags[i]);
    if (f == 0)
      throw Error(kField + ".flags[" + std::to_string(i) + "]: unknown seccomp filter flag \"" + s.flags[i] +
                  "\"");
    r.flags |= f;
  }
  for (size_t i = 0; i < s.syscalls.size(); ++i) {
    const auto& sc = s.syscalls[i];
    std::string field = kField + ".syscalls[" + std::to_string(i) + "]";
    if (sc.names.empty()) throw Error(field + ".names: must not be empty");
    for (size_t j = 0; j < sc.args.size(); ++j)
      if (sc.args[j].index > 5)
        throw Error(field + ".args[" + std::to_string(j) + "].index: expected integer in range [0, 5], got " +
                    std::to_string(sc.args[j].index));
    Action action = to_action(sc.action, sc.errno_ret);
    if (sc.action == oci::SeccompAction::notify) r.wants_listener = true;
    auto groups = split_conditions(sc.args);
    for (const auto& name : sc.names) {
      if (name.empty()) throw Error(field + ".names: empty syscall name");
      for (const auto& conds : groups) r.rules.push_back(Rule{name, action, conds});
    }
  }
  drop_subsumed_rules(r.rules);
  return r;
}

std::string canonical(const RuleSet& r) {
  std::ostringstream o;
  auto act = [&](const Action& a) { o << static_cast<int>(a.kind) << ':' << a.errno_ret; };
  o << "default=";
  act(r.default_action);
  o << ";arches=";
  for (uint32_t a : r.arches) o << a << ',';
  o << ";flags=" << r.flags << ";listener=" << r.wants_listener << ";rules=";
  for (const auto& rule : r.rules) {
    o << '[' << rule.syscall.size() << ':' << rule.syscall << ' ';
    act(rule.action);
    for (const auto& c : rule.conditions)
      o << " (" << c.index << ',' << static_cast<int>(c.op) << ',' << c.value << ',' << c.value_two << ')';
    o << ']';
  }
  return o.str();
}

}  // namespace agentrt::seccomp
