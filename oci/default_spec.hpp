#pragma once
// The config.json `agentrt spec` writes: runc's `runc spec` template, hardened for running agents
// (no ambient or inheritable capabilities, no_new_privileges, a cgroup namespace, powercap masked).
#include <sys/types.h>

#include <nlohmann/json.hpp>

namespace agentrt::oci {

// rootless: a user namespace mapping container root to the calling user (getuid()/getgid()), /sys bound
// from the host instead of a new sysfs, no devpts gid=5 and no device cgroup rules (as `runc spec
// --rootless`).
nlohmann::json default_spec(bool rootless);
// Same, with the host ids of the rootless mapping given explicitly.
nlohmann::json default_spec(bool rootless, uid_t host_uid, gid_t host_gid);

}  // namespace agentrt::oci
