#pragma once
// A bundle's config.json made ready for a container: parsed, validated, hardened by the agent policy.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "oci/spec.hpp"
#include "policy/landlock_plan.hpp"
#include "runtime/container_egress.hpp"
#include "runtime/context.hpp"

namespace agentrt::runtime {

struct ContainerConfig {
  std::string bundle;                        // absolute
  std::string rootfs;                        // absolute host path
  std::string raw_text;                      // config.json as the engine wrote it (kept in the state as is)
  nlohmann::json raw;                        // the same, parsed
  oci::Spec spec;                            // after the agent policy
  nlohmann::json policy;                     // what the policy changed (PolicyReport), kept in the state
  std::optional<oci::Seccomp> floor_filter;  // the agent floor, when stacked after linux.seccomp
  std::optional<policy::LandlockPlan> landlock;  // fs.write / fs.read for this kernel
  std::optional<ContainerEgress> egress;         // net.egress, attached by create
  // linux.resources as config.json asked them, before the agent policy added its pids limit: a rootless
  // container without a cgroup fails only for limits its config asked.
  std::optional<oci::Resources> asked_resources;
};

ContainerConfig load_container_config(const Context& ctx, const std::string& bundle);

}  // namespace agentrt::runtime
