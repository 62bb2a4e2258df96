#pragma once
// Layering an agent profile's floor over the filter the engine asked for. The answer for a call must be what
// the two filters stacked would give (the engine's, then the floor's; the kernel takes the most restrictive
// action, and the floor's on a tie): allowed exactly when both allow it. Where that is provably expressible
// as one program, the floor is merged into the engine's filter; otherwise the floor stays a second filter.
#include <optional>
#include <string>
#include <vector>

#include "oci/spec.hpp"
#include "seccomp/agent_profile.hpp"

namespace agentrt::seccomp {

struct Layering {
  oci::Seccomp filter;                       // loaded first: the merged program, or the engine's own
  std::optional<oci::Seccomp> floor_filter;  // stacked: the floor alone, loaded after `filter`
  std::string stacked_reason;                // stacked: the syscall that could not be merged, and why
};

// `changes` gets one human-readable line per change ("seccomp: agent-default denies ptrace ...").
Layering layer_floor(const oci::Seccomp& request, const AgentProfile& profile,
                     std::vector<std::string>& changes);

// The floor with its ERRNO rules turned into SCMP_ACT_NOTIFY (errno_ret kept: the audit supervisor's reply).
// layer_floor() ranks such a NOTIFY as the ERRNO it replaces, so a merged program notifies exactly where the
// floor's errno would have answered; stacked, the kernel lets an engine ERRNO win over the floor's NOTIFY.
AgentProfile audit_floor(const AgentProfile& profile);

// The floor as a filter of its own: default allow, the floor's denied regions with its actions.
oci::Seccomp floor_filter(const AgentProfile& profile);

// Whether `value` satisfies `a` (the kernel's view of one argument comparison).
bool arg_matches(const oci::SeccompArg& a, uint64_t value);

}  // namespace agentrt::seccomp
