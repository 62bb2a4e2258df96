#pragma once
// The filesystem and egress policy of a new container: its settings resolved (policy/settings.hpp), the
// Landlock plan for this kernel, and the record kept in the state under agentPolicy.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "oci/spec.hpp"
#include "policy/landlock_plan.hpp"
#include "runtime/agent_policy.hpp"
#include "runtime/container_egress.hpp"
#include "runtime/context.hpp"

namespace agentrt::runtime {

struct ContainerPolicy {
  std::optional<policy::LandlockPlan> landlock;  // applied by the init and every exec'd process
  nlohmann::json filesystem;                     // the plan's record, null when no fs setting applies
  nlohmann::json network;                        // the egress record, null when no egress setting applies
  std::optional<ContainerEgress> egress;         // attached to the cgroup by create
  bool audit = false;                            // record the policy's denials (audit/)
  std::string audit_source;                      // who asked: "--audit", "profile agent-locked" ...
};

// Throws Error naming the setting's source when it is malformed or cannot be honoured on this kernel.
ContainerPolicy plan_container_policy(const Context& ctx, const oci::Spec& spec, policy::Profile profile,
                                      const std::string& rootfs,
                                      const std::string& config_path = policy::kConfigPath);

// The Landlock plan recorded in a container's agentPolicy, when it has one to enforce.
std::optional<policy::LandlockPlan> recorded_landlock(const nlohmann::json& agent_policy);

}  // namespace agentrt::runtime
