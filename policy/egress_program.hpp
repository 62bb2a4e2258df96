#pragma once
// The cgroup BPF programs that hold a container to its egress plan, generated as instructions (pure: the
// stats map is an fd number the loader passes in; unit_policy runs them in a small interpreter).
//
// The allow-list is baked into the programs as compare-and-jump code rather than kept in a map: it is fixed
// at create (names are resolved then), short, and needs no LPM-trie key layout; `state` shows it from the
// record. Only the denial statistics live in a map (egress_stats.hpp reads it).
//
// Hooks: connect4/6 (TCP and connected UDP; TCP Fast Open's sendmsg(MSG_FASTOPEN) goes through the same
// pre_connect hook), sendmsg4/6 (unconnected UDP: sendto, sendmsg, sendmmsg), and inet socket creation,
// which refuses raw sockets and ICMP/ICMPv6 ping sockets. IPv4-mapped IPv6 destinations are matched against
// the IPv4 entries. A program returning 0 makes the call fail with EPERM.
#include <linux/bpf.h>

#include <cstdint>
#include <string>
#include <vector>

#include "policy/egress_plan.hpp"

namespace agentrt::policy {

enum class EgressHook : uint32_t { connect4, connect6, sendmsg4, sendmsg6, sock_create };
const char* to_string(EgressHook h);

// The stats map: a BPF array of kStatsSlots + 1 values of kRecordSize bytes. Value 0 holds the denial count
// (u64 at offset 0); value 1 + (n % kStatsSlots) the n-th denial (0-based), laid out as below.
namespace egress_record {
constexpr uint32_t kStatsSlots = 16;  // a power of two: the slot is count & (kStatsSlots - 1)
constexpr uint32_t kRecordSize = 72;
constexpr int16_t time_ns = 0;    // u64 bpf_ktime_get_ns (monotonic)
constexpr int16_t pid = 8;        // u32 thread-group id (0 when the kernel offers no task helpers)
constexpr int16_t family = 12;    // u32 AF_INET / AF_INET6
constexpr int16_t protocol = 16;  // u32 IPPROTO_*
constexpr int16_t type = 20;      // u32 SOCK_*
constexpr int16_t port = 24;      // u32 destination port, network order in the low 16 bits
constexpr int16_t hook = 28;      // u32 EgressHook
constexpr int16_t address = 32;   // 16 bytes, network order (IPv4 in the first 4)
constexpr int16_t comm = 48;      // 16 bytes, NUL-terminated
constexpr int16_t seq = 64;       // u64 n + 1 (0: slot never written)
}  // namespace egress_record

struct EgressProgram {
  EgressHook hook;
  bpf_prog_type prog_type;
  bpf_attach_type attach_type;
  std::vector<bpf_insn> insns;
};

// task_info: record pid and comm with bpf_get_current_pid_tgid / bpf_get_current_comm (the loader retries
// without them on a kernel that does not offer them to these program types).
std::vector<EgressProgram> egress_programs(const EgressPlan& plan, int stats_map_fd, bool task_info);

}  // namespace agentrt::policy
