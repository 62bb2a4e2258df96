#include "runtime/audit_trail.hpp"

#include "runtime/agent_policy.hpp"

namespace agentrt::runtime {
namespace {

std::string audit_field(const nlohmann::json& agent_policy, const char* key) {
  if (!agent_policy.is_object() || !agent_policy.contains("audit")) return "";
  const auto& a = agent_policy.at("audit");
  return a.is_object() && a.contains(key) && a.at(key).is_string() ? a.at(key).get<std::string>() : "";
}

}  // namespace

std::optional<audit::Trail> start_audit_trail(const StateStore& store, const std::string& id,
                                              const nlohmann::json& agent_policy) {
  std::string set_by = audit_field(agent_policy, "setBy");
  if (set_by.empty()) return std::nullopt;
  audit::Trail trail = audit::Trail::start(store.root(), id);
  std::string seccomp = audit_field(agent_policy, "seccomp");
  trail.notice("audit on for container " + id + " (set by " + set_by + ", profile " +
               agent_policy.value("profile", "off") + ")");
  if (seccomp == "engine-listener")
    trail.notice(
        "the engine asked for its own seccomp listener (linux.seccomp.listenerPath or an SCMP_ACT_NOTIFY "
        "rule) and a filter chain has only one: the floor's denials keep their plain errno and are not "
        "recorded");
  else if (seccomp != "notify")
    trail.notice("no seccomp floor under profile " + agent_policy.value("profile", "off") +
                 ": nothing to record");
  return trail;
}

bool audit_notifies(const nlohmann::json& agent_policy) {
  return audit_field(agent_policy, "seccomp") == "notify";
}

pid_t start_audit_supervisor(audit::Trail& trail, int listener_fd, const nlohmann::json& agent_policy,
                             const std::string& id) {
  return trail.start_supervisor(listener_fd,
                                policy::audited_calls(policy::recorded_profile(agent_policy, id)));
}

}  // namespace agentrt::runtime
