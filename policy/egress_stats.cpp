#include "policy/egress_stats.hpp"

#include <arpa/inet.h>
#include <linux/bpf.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "oci/support/error.hpp"
#include "oci/support/unique_fd.hpp"
#include "policy/egress_program.hpp"

namespace agentrt::policy {
namespace {

namespace rec = egress_record;

long bpf(int cmd, bpf_attr& attr) {
  return ::syscall(SYS_bpf, cmd, &attr, sizeof attr);
}

template <typename T>
T field(const uint8_t* record, int16_t off) {
  T v;
  std::memcpy(&v, record + off, sizeof v);
  return v;
}

std::string protocol_name(uint32_t protocol, uint32_t type) {
  if (protocol == IPPROTO_TCP) return "tcp";
  if (protocol == IPPROTO_UDP) return "udp";
  if (protocol == IPPROTO_UDPLITE) return "udplite";
  if (protocol == 0 && type == SOCK_STREAM) return "tcp";
  if (protocol == 0 && type == SOCK_DGRAM) return "udp";
  return "proto " + std::to_string(protocol);
}

std::string socket_description(uint32_t family, uint32_t type, uint32_t protocol) {
  std::string fam = family == AF_INET6 ? "inet6" : "inet";
  if (type == SOCK_RAW) return "raw socket (" + fam + ", protocol " + std::to_string(protocol) + ")";
  return "ping socket (" + fam + ", protocol " + std::to_string(protocol) + ")";
}

}  // namespace

bool decode_egress_record(const uint8_t* record, EgressDenial& out, uint64_t* seq) {
  *seq = field<uint64_t>(record, rec::seq);
  if (*seq == 0) return false;
  out.time_ns = field<uint64_t>(record, rec::time_ns);
  out.pid = field<uint32_t>(record, rec::pid);
  char comm[17] = {};
  std::memcpy(comm, record + rec::comm, 16);
  out.comm = comm;
  out.err = EPERM;
  uint32_t family = field<uint32_t>(record, rec::family), type = field<uint32_t>(record, rec::type),
           protocol = field<uint32_t>(record, rec::protocol);
  if (static_cast<EgressHook>(field<uint32_t>(record, rec::hook)) == EgressHook::sock_create) {
    out.destination = socket_description(family, type, protocol);
    return true;
  }
  char text[INET6_ADDRSTRLEN] = "?";
  ::inet_ntop(family == AF_INET6 ? AF_INET6 : AF_INET, record + rec::address, text, sizeof text);
  uint16_t port = ntohs(static_cast<uint16_t>(field<uint32_t>(record, rec::port)));
  std::string host = family == AF_INET6 ? "[" + std::string(text) + "]" : text;
  out.destination = host + ":" + std::to_string(port) + "/" + protocol_name(protocol, type);
  return true;
}

EgressStats read_egress_stats(const std::string& stats_map_pin_path) {
  bpf_attr attr;
  std::memset(&attr, 0, sizeof attr);
  attr.pathname = reinterpret_cast<uint64_t>(stats_map_pin_path.c_str());
  attr.file_flags = BPF_F_RDONLY;
  UniqueFd map(static_cast<int>(bpf(BPF_OBJ_GET, attr)));
  if (!map) throw sys_error("open the egress stats map " + stats_map_pin_path);
  EgressStats stats{0, {}};
  std::vector<std::pair<uint64_t, EgressDenial>> found;
  for (uint32_t key = 0; key <= rec::kStatsSlots; ++key) {
    uint8_t value[rec::kRecordSize] = {};
    std::memset(&attr, 0, sizeof attr);
    attr.map_fd = static_cast<uint32_t>(map.get());
    attr.key = reinterpret_cast<uint64_t>(&key);
    attr.value = reinterpret_cast<uint64_t>(value);
    if (bpf(BPF_MAP_LOOKUP_ELEM, attr) < 0)
      throw sys_error("read the egress stats map " + stats_map_pin_path + " at " + std::to_string(key));
    if (key == 0) {
      stats.denied_total = field<uint64_t>(value, 0);
      continue;
    }
    EgressDenial d{};
    uint64_t seq = 0;
    if (decode_egress_record(value, d, &seq)) found.emplace_back(seq, std::move(d));
  }
  std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [seq, d] : found) {
    d.seq = seq;
    stats.recent.push_back(std::move(d));
  }
  return stats;
}

}  // namespace agentrt::policy
