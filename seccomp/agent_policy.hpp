#pragma once
// The agent policy: the engine's spec is a request, the agent profile a floor. Pure: works on oci::Spec only
// (the runtime includes it through runtime/agent_policy.hpp and stores the report in the container state).
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "oci/spec.hpp"

namespace agentrt::policy {

enum class Profile { agent_default, agent_dev, agent_nested, off };

constexpr const char* kProfileAnnotation = "run.agentrt.profile";
constexpr const char* kConfigPath = "/etc/agentrt/config.json";

std::optional<Profile> profile_from_name(const std::string& name);  // "agent-default" ...
const char* to_string(Profile p);

// The first that is set wins: the annotation run.agentrt.profile, the --profile flag, {"profile": ...} in the
// config file (a missing file is fine), else agent-default. An unknown name is an Error naming its source.
Profile select_profile(const oci::Spec& spec, const std::string& flag_value,
                       const std::string& config_path = kConfigPath);

struct PolicyReport {
  std::string profile;
  std::vector<std::string> changes;
  // How the floor met the spec's filter: "merged" into one program, or "stacked" as a second filter
  // (floor_filter, loaded after linux.seccomp) because of `stacked_reason`. Empty under Profile::off.
  std::string seccomp_layering;
  std::string stacked_reason;
  std::optional<oci::Seccomp> floor_filter;
  // {"profile": "...", "changes": [...], "seccompLayering": {"mode": "stacked", "reason": "..."}}
  nlohmann::json to_json() const;
};

// Hardens `spec` in place: seccomp floor (or the full agent filter when the spec has none), native
// architecture only, no_new_privileges, dangerous capabilities dropped, a pids limit when none is set.
// Profile::off changes nothing.
PolicyReport apply_agent_policy(oci::Spec& spec, Profile p);

}  // namespace agentrt::policy
