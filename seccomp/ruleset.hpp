#pragma once
// The pure middle of the pipeline: oci::Seccomp -> RuleSet (validated, one rule per syscall name, argument
// conditions split the way libseccomp needs). No libseccomp calls, so the compiled-BPF cache can key on it.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "oci/spec.hpp"

namespace agentrt::seccomp {

struct Condition {
  uint32_t index = 0;
  oci::SeccompOp op = oci::SeccompOp::equal_to;
  uint64_t value = 0;      // the mask for masked_equal
  uint64_t value_two = 0;  // the expected value for masked_equal
};

struct Action {
  oci::SeccompAction kind = oci::SeccompAction::allow;
  uint32_t errno_ret = 0;  // meaningful for errno_ret and trace only
  bool operator==(const Action&) const = default;
};

struct Rule {
  std::string syscall;
  Action action;
  std::vector<Condition> conditions;  // all must hold (AND); at most one per argument index
};

struct RuleSet {
  Action default_action;
  std::vector<uint32_t> arches;  // libseccomp arch tokens; empty = the native architecture only
  unsigned flags = 0;            // SECCOMP_FILTER_FLAG_*
  bool wants_listener = false;
  std::vector<Rule> rules;  // in emission order: for equal unconditional rules the first one wins
};

// Errors name the field: `linux.seccomp.architectures[1]: unknown architecture "SCMP_ARCH_FOO"`.
RuleSet build_ruleset(const oci::Seccomp& s);

// A stable text form of everything that determines the compiled program (the cache key's input).
std::string canonical(const RuleSet& r);

// The action libseccomp-style: ERRNO and TRACE without errnoRet use EPERM, as the runtime-spec says.
Action to_action(oci::SeccompAction a, std::optional<uint32_t> errno_ret);

}  // namespace agentrt::seccomp
