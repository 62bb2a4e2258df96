#pragma once
// The egress filter's denial statistics, read on demand from its pinned BPF map (no resident process).
//
// Finding the map of a container: `agentrt state ID` shows agentrt.agentPolicy.network.statsMap, the bpffs
// path to pass here (the state store keeps it in state.json under agent_policy.network.statsMap). It exists
// from create to delete of a container whose egress is enforced; a container without egress limit has none.
#include <cstdint>
#include <string>
#include <vector>

namespace agentrt::policy {

struct EgressDenial {
  uint64_t time_ns;         // CLOCK_MONOTONIC (bpf_ktime_get_ns)
  uint32_t pid;             // thread-group id in the host's pid namespace; 0 when the kernel offered none
  std::string comm;         // "" when the kernel offered none
  std::string destination;  // "198.18.0.2:8080/tcp", "[2001:db8::1]:53/udp", "raw socket (inet, protocol 1)"
  int err;                  // errno the call got (EPERM)
  uint64_t seq = 0;         // the denial's number since the filter was attached (1, 2, ...)
};

struct EgressStats {
  uint64_t denied_total;
  std::vector<EgressDenial> recent;  // the last denials (at most egress_record::kStatsSlots), oldest first
};

// Throws Error naming the path when the map cannot be opened or read.
EgressStats read_egress_stats(const std::string& stats_map_pin_path);

// One record of the map (egress_record layout) decoded; pure. Returns false for a slot never written.
bool decode_egress_record(const uint8_t* record, EgressDenial& out, uint64_t* seq);

}  // namespace agentrt::policy
