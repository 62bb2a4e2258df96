#pragma once
// The init's last privileged steps: bounding set, user and groups, capability sets, ambient caps.
#include <sys/types.h>

#include <vector>

#include "oci/spec.hpp"
#include "runtime/log.hpp"

namespace agentrt::runtime {

// Drops from the bounding set every capability not in caps.bounding (needs CAP_SETPCAP: call while still
// root).
void drop_bounding_set(const oci::Capabilities& caps);
// What becomes of the process's supplementary groups, by runc's rule: a runtime started without root
// (euid != 0, runc's RootlessEUID) may not set any, so it refuses additionalGids (naming the field) and
// leaves the groups the process inherited (setgroups is not called); otherwise setgroups gets exactly
// additionalGids. Pure.
struct GroupsPlan {
  bool call_setgroups = true;
  std::vector<gid_t> groups;
};
GroupsPlan plan_groups(const oci::User& user, bool caller_unprivileged);

// setgroups (as plan_groups says)/setresgid/setresuid keeping the permitted set across the uid change
// (PR_SET_KEEPCAPS).
void switch_user(const oci::User& user, bool in_user_ns, bool caller_unprivileged);
// Sets effective/permitted/inheritable exactly as given, then the ambient set.
void apply_capabilities(const oci::Capabilities& caps, const Logger& log);

}  // namespace agentrt::runtime
