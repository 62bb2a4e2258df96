#pragma once
// The agent policy: the engine's spec is a request, the agent profile a floor. Pure: works on oci::Spec only
// (the runtime includes it through runtime/agent_policy.hpp and stores the report in the container state).
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "oci/spec.hpp"
#include "seccomp/audited_call.hpp"

namespace agentrt::policy {

// agent-locked is agent-default plus the filesystem and egress defaults of policy/settings.hpp.
enum class Profile { agent_default, agent_dev, agent_nested, off, agent_locked };

constexpr const char* kProfileAnnotation = "run.agentrt.profile";
constexpr const char* kConfigPath = "/etc/agentrt/config.json";

std::optional<Profile> profile_from_name(const std::string& name);  // "agent-default" ...
const char* to_string(Profile p);

// Strictness is a partial order: agent-locked forbids everything agent-default does and more; agent-default
// forbids everything the others forbid; agent-dev (ptrace, perf) and agent-nested (user namespaces, mounts in
// them) each allow something the other forbids, so neither is stricter than the other; off forbids nothing.
// True when `p` allows nothing that `minimum` forbids.
bool at_least_as_strict(Profile p, Profile minimum);

// The administrator's profile (the --profile flag, else {"profile": ...} in the config file, else
// agent-default) is both the default and the minimum. The annotation run.agentrt.profile, which whoever
// starts the container sets (docker run --annotation, pod annotations), may only tighten it: an annotation
// that would allow something the minimum forbids is refused with an Error naming both and who set the
// minimum. An unknown name is an Error naming its source; a missing config file is fine.
struct ProfileChoice {
  Profile profile;
  Profile minimum;
  std::string minimum_source;  // "--profile", the config file's path, or "default"
};
ProfileChoice choose_profile(const oci::Spec& spec, const std::string& flag_value,
                             const std::string& config_path = kConfigPath);
// choose_profile(...).profile.
Profile select_profile(const oci::Spec& spec, const std::string& flag_value,
                       const std::string& config_path = kConfigPath);

struct PolicyReport {
  std::string profile;
  std::vector<std::string> changes;
  std::string minimum;         // the administrator's minimum profile, when known
  std::string minimum_source;  // who set it (ProfileChoice::minimum_source)
  // How the floor met the spec's filter: "merged" into one program, or "stacked" as a second filter
  // (floor_filter, loaded after linux.seccomp) because of `stacked_reason`. Empty under Profile::off.
  std::string seccomp_layering;
  std::string stacked_reason;
  std::optional<oci::Seccomp> floor_filter;
  // Under audit: "notify" when the floor's ERRNO rules answer through the audit supervisor, else why not
  // ("engine-listener": the spec asked for its own listener). Empty without audit.
  std::string seccomp_audit;
  // {"profile": "...", "changes": [...], "seccompLayering": {"mode": "stacked", "reason": "..."}} plus
  // "minimum" and "minimumSetBy" when the minimum is known.
  nlohmann::json to_json() const;
};

// The profile a container was created with, from the PolicyReport JSON kept in its state (no record: off).
// Throws Error naming the container when the record names no known profile.
Profile recorded_profile(const nlohmann::json& report_json, const std::string& id);

// `agentrt update` under profile p: a pids limit of 0 or less (unlimited) becomes the profile's limit, the
// same clamp create applies. Returns what changed ("" when nothing did).
std::string clamp_pids_update(oci::Resources& resources, Profile p);

// Hardens `spec` in place: seccomp floor (or the full agent filter when the spec has none), native
// architecture only, no_new_privileges, dangerous capabilities dropped, a pids limit when none is set.
// Profile::off changes nothing. With `audit`, the floor's ERRNO rules become SCMP_ACT_NOTIFY
// (seccomp::audit_floor) unless the spec asked for its own listener (one per filter chain): then the floor
// keeps its plain errno and the report says why.
PolicyReport apply_agent_policy(oci::Spec& spec, Profile p, bool audit = false);

// The floor's ERRNO rules of profile p as the audit supervisor answers them.
std::vector<seccomp::AuditedCall> audited_calls(Profile p);

}  // namespace agentrt::policy
