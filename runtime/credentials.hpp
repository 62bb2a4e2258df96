#pragma once
// The init's last privileged steps: bounding set, user and groups, capability sets, ambient caps.
#include "oci/spec.hpp"
#include "runtime/log.hpp"

namespace agentrt::runtime {

// Drops from the bounding set every capability not in caps.bounding (needs CAP_SETPCAP: call while still
// root).
void drop_bounding_set(const oci::Capabilities& caps);
// setgroups/setresgid/setresuid keeping the permitted set across the uid change (PR_SET_KEEPCAPS).
void switch_user(const oci::User& user, bool in_user_ns);
// Sets effective/permitted/inheritable exactly as given, then the ambient set.
void apply_capabilities(const oci::Capabilities& caps, const Logger& log);

}  // namespace agentrt::runtime
