#pragma once
// Drops rules that another rule of the same syscall already covers. Exact: it only acts on a syscall whose
// rules all share one action, where the filter's answer is "any rule's conditions hold", so a rule whose
// conditions include every condition of another rule adds nothing.
//
// Why here and not left to libseccomp: libseccomp 2.5.4 (Debian 12) leaks the tree nodes it prunes when a
// later rule covers earlier ones (A0==7&&A1==0, A0==7&&A5==3, then A0==7), which the fuzzer found through the
// agent floor's personality rules layered over an engine's. The compiled program is the same either way.
#include <vector>

#include "seccomp/ruleset.hpp"

namespace agentrt::seccomp {

// Keeps the first of identical rules and the order of the rest.
void drop_subsumed_rules(std::vector<Rule>& rules);

}  // namespace agentrt::seccomp
