#pragma once
// A container's egress filter: its plan made from the resolved setting (names resolved with the host's
// resolver, `dns` from the container's resolv.conf view), attached to its cgroup2 directory at create,
// shown by `state` and `events --stats` from the pinned stats map, removed at delete.
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "cgroups/manager.hpp"
#include "oci/spec.hpp"
#include "policy/egress_plan.hpp"
#include "policy/settings.hpp"

namespace agentrt::runtime {

struct ContainerEgress {
  policy::EgressPlan plan;
  bool explicit_request = false;  // an annotation, flag or config file asked (not a profile default)
  std::string source;
  nlohmann::json record;  // agentPolicy.network
};

// The plan for an egress setting. Throws Error naming the setting's source when an entry cannot be made
// concrete (a name without addresses, dns without nameservers).
ContainerEgress plan_container_egress(const policy::Setting& egress, const oci::Spec& spec,
                                      const std::string& rootfs, bool own_netns);

// Attaches the filter to the container's cgroup2 directory and pins its stats map; the record says where
// (statsMap) and is saved by the caller before anything is made, through save_intent. Without a cgroup2
// directory of the container's own, an explicit request fails and a profile default is recorded as not
// enforced.
void attach_container_egress(ContainerEgress& egress, const std::string& id, const cgroups::Manager* cgroup,
                             const std::function<void(const nlohmann::json& record)>& save_intent);

// The cgroup2 directory of the container's own, "" when it has none (legacy v1 only, no cgroup).
std::string container_cgroup2_dir(const cgroups::Manager* cgroup);

// agentPolicy.network with the live counts (denied, recentDenials) when its stats map is pinned.
nlohmann::json network_status(const nlohmann::json& agent_policy);

// Removes the stats map's pin a container's record names (idempotent).
void remove_container_egress(const nlohmann::json& agent_policy);

}  // namespace agentrt::runtime
