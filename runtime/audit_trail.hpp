#pragma once
// The audit trail (audit/) as a container's agentPolicy record asks for it: create starts the log and the
// init's supervisor, exec one supervisor per exec'd process.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "audit/trail.hpp"
#include "runtime/state_store.hpp"

namespace agentrt::runtime {

// A new log for container id when its policy has audit on (nullopt otherwise), with a notice of who asked
// and, when the floor's denials cannot be recorded (the engine's own listener), why.
std::optional<audit::Trail> start_audit_trail(const StateStore& store, const std::string& id,
                                              const nlohmann::json& agent_policy);

// Whether the floor's denials reach a supervisor (agentPolicy.audit.seccomp is "notify"): the seccomp
// listener of the container's filter is then the supervisor's, never linux.seccomp.listenerPath's.
bool audit_notifies(const nlohmann::json& agent_policy);

// Starts the supervisor for a listener of the audited floor of the container's profile.
pid_t start_audit_supervisor(audit::Trail& trail, int listener_fd, const nlohmann::json& agent_policy,
                             const std::string& id);

}  // namespace agentrt::runtime
