#pragma once
// Egress denials into a container's audit trail. The egress filter keeps only a count and its last denials
// in a pinned BPF map (no resident reader, policy/egress_stats.hpp), so whoever looks copies what is new
// into the audit log: `agentrt audit`, the events stream, and delete (before the map's pin goes, so the
// records outlive the container like the seccomp ones). A marker in the container's state directory holds
// the last denial copied; denials that scrolled out of the map between two copies are logged as a count.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "policy/egress_stats.hpp"

namespace agentrt::runtime {

struct EgressCopyPlan {
  std::vector<nlohmann::json> records;  // audit records, oldest first (the lost count's notice included)
  uint64_t last_seq = 0;                // the marker after copying
};

// Pure: which of stats' denials come after last_seq, as audit records with realtime timestamps
// (monotonic_to_realtime_ns added to the map's CLOCK_MONOTONIC times), plus a notice when denials
// between last_seq and the oldest kept one were lost.
EgressCopyPlan plan_egress_copy(const policy::EgressStats& stats, uint64_t last_seq,
                                int64_t monotonic_to_realtime_ns);

// Copies for container `id` (state_dir its state directory, agent_policy its record's agentPolicy) when its
// audit log exists and its egress filter is pinned; otherwise does nothing. Serialized by a lock on the
// marker. Errors name the map or file.
void copy_egress_denials_to_audit(const std::string& state_root, const std::string& state_dir,
                                  const std::string& id, const nlohmann::json& agent_policy);

}  // namespace agentrt::runtime
