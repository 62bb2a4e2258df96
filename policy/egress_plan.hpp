#pragma once
// The egress allow-list made concrete for one container: every entry an address range and a port range,
// host names and `dns` resolved, loopback allowed or not. Pure: name resolution is a callback and the
// nameservers are the text of a resolv.conf.
#include <array>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "policy/egress_rules.hpp"

namespace agentrt::policy {

struct EgressAllow {
  int family = 0;                     // AF_INET or AF_INET6
  std::array<uint8_t, 16> address{};  // network order; an IPv4 address in the first 4 bytes
  int prefix = 0;
  uint16_t port_lo = 1, port_hi = 65535;
  std::string entry;  // the setting's entry it came from, for the record
};

struct EgressPlan {
  std::vector<EgressAllow> allow;
  // 127.0.0.0/8 and ::1 to any port: only when the container has its own network namespace (in the host's,
  // loopback is the host's services).
  bool loopback = false;
  nlohmann::json to_json() const;  // "198.18.0.2/32:8080" ... for the state record
};

// The addresses a host name has; throws Error naming the host when it has none.
using Resolver = std::function<std::vector<EgressAllow>(const std::string& host)>;

// The nameserver lines of a resolv.conf, as EgressAllow entries with no port yet.
std::vector<EgressAllow> parse_nameservers(const std::string& resolv_conf);

// rules: parse_egress's result (empty = none). `dns` becomes port 53 on each nameserver and fails, naming
// `source`, when there is none.
EgressPlan plan_egress(const std::vector<EgressRule>& rules, const std::vector<EgressAllow>& nameservers,
                       bool own_netns, const Resolver& resolve, const std::string& source);

// "198.18.0.2/32:8080", "[2001:db8::/32]:1-65535".
std::string describe(const EgressAllow& a);

}  // namespace agentrt::policy
