#pragma once
// Layering an agent profile's floor over the filter the engine asked for. The result is never looser than
// either: floor rules come first (for equal unconditional rules libseccomp keeps the first), the request's
// allow-type rules for floor syscalls are replaced by the floor's allowed regions intersected with them, and
// the request's deny-type rules stay.
#include <string>
#include <vector>

#include "oci/spec.hpp"
#include "seccomp/agent_profile.hpp"

namespace agentrt::seccomp {

// `changes` gets one human-readable line per change ("removed the spec's allow rule for ptrace").
oci::Seccomp layer_floor(const oci::Seccomp& request, const AgentProfile& profile,
                         std::vector<std::string>& changes);

// Whether `value` satisfies `a` (the kernel's view of one argument comparison).
bool arg_matches(const oci::SeccompArg& a, uint64_t value);

}  // namespace agentrt::seccomp
