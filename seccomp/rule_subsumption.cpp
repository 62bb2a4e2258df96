#include "seccomp/rule_subsumption.hpp"

#include <algorithm>
#include <map>
#include <string>

namespace agentrt::seccomp {
namespace {

bool same_condition(const Condition& a, const Condition& b) {
  if (a.index != b.index || a.op != b.op || a.value != b.value) return false;
  return a.op != oci::SeccompOp::masked_equal || a.value_two == b.value_two;
}

// `wide`'s conditions are a subset of `narrow`'s, so `wide` matches every call `narrow` matches.
bool covers(const Rule& wide, const Rule& narrow) {
  return std::all_of(wide.conditions.begin(), wide.conditions.end(), [&](const Condition& c) {
    return std::any_of(narrow.conditions.begin(), narrow.conditions.end(),
                       [&](const Condition& d) { return same_condition(c, d); });
  });
}

}  // namespace

void drop_subsumed_rules(std::vector<Rule>& rules) {
  std::map<std::string, std::vector<size_t>> by_syscall;
  for (size_t i = 0; i < rules.size(); ++i) by_syscall[rules[i].syscall].push_back(i);
  std::vector<bool> drop(rules.size(), false);
  for (const auto& entry : by_syscall) {
    const std::vector<size_t>& idx = entry.second;
    bool one_action = std::all_of(idx.begin(), idx.end(),
                                  [&](size_t i) { return rules[i].action == rules[idx.front()].action; });
    if (!one_action || idx.size() < 2) continue;
    for (size_t a : idx) {
      for (size_t b : idx) {
        if (a == b || drop[b] || !covers(rules[b], rules[a])) continue;
        // Identical rules: the later one goes. Otherwise the narrower one.
        bool identical = covers(rules[a], rules[b]);
        if (!identical || b < a) {
          drop[a] = true;
          break;
        }
      }
    }
  }
  std::vector<Rule> kept;
  kept.reserve(rules.size());
  for (size_t i = 0; i < rules.size(); ++i)
    if (!drop[i]) kept.push_back(std::move(rules[i]));
  rules = std::move(kept);
}

}  // namespace agentrt::seccomp
