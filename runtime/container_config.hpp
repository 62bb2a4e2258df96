#pragma once
// A bundle's config.json made ready for a container: parsed, validated, hardened by the agent policy.
#include <nlohmann/json.hpp>
#include <string>

#include "oci/spec.hpp"
#include "runtime/context.hpp"
#include "runtime/state_store.hpp"

namespace agentrt::runtime {

struct ContainerConfig {
  std::string bundle;     // absolute
  std::string rootfs;     // absolute host path
  nlohmann::json raw;     // config.json as the engine wrote it
  oci::Spec spec;         // after the agent policy
  nlohmann::json policy;  // what the policy changed (PolicyReport), kept in the state
};

ContainerConfig load_container_config(const Context& ctx, const std::string& bundle);
// The hardened spec of an existing container, for exec: the saved config with its recorded profile
// re-applied.
oci::Spec spec_from_record(const ContainerRecord& rec);

}  // namespace agentrt::runtime
