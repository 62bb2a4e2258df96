#pragma once
// The egress allow-list (run.agentrt.net.egress / --egress) parsed and checked. Pure.
#include <cstdint>
#include <string>
#include <vector>

namespace agentrt::policy {

struct EgressRule {
  enum class Kind { ipv4, ipv6, host, dns };
  Kind kind = Kind::ipv4;
  std::string address;                    // the address or host name as written (no prefix, no brackets)
  int prefix = 0;                         // CIDR prefix length (32/128 when none was written)
  uint16_t port_lo = 0, port_hi = 65535;  // all ports when none was written
};

// Entries (comma-separated in the setting): CIDR, CIDR:port, CIDR:lo-hi, host:port, dns, or the single word
// none (the empty list: nothing but loopback). An IPv6 CIDR with a port is written in brackets:
// [2001:db8::/32]:443. Throws Error naming `source` and the entry.
std::vector<EgressRule> parse_egress(const std::vector<std::string>& entries, const std::string& source);

}  // namespace agentrt::policy
