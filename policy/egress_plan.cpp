#include "policy/egress_plan.hpp"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <sstream>

#include "oci/support/error.hpp"

namespace agentrt::policy {
namespace {

EgressAllow from_rule(const EgressRule& r) {
  EgressAllow a;
  a.family = r.kind == EgressRule::Kind::ipv6 ? AF_INET6 : AF_INET;
  ::inet_pton(a.family, r.address.c_str(), a.address.data());  // parse_egress checked it
  a.prefix = r.prefix;
  a.port_lo = r.port_lo == 0 ? 1 : r.port_lo;
  a.port_hi = r.port_hi;
  return a;
}

}  // namespace

std::vector<EgressAllow> parse_nameservers(const std::string& resolv_conf) {
  std::vector<EgressAllow> out;
  std::istringstream in(resolv_conf);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string key, addr;
    if (!(words >> key >> addr) || key != "nameserver") continue;
    addr = addr.substr(0, addr.find('%'));  // fe80::1%eth0: the zone does not reach connect()
    EgressAllow a;
    if (::inet_pton(AF_INET, addr.c_str(), a.address.data()) == 1) {
      a.family = AF_INET;
      a.prefix = 32;
    } else if (::inet_pton(AF_INET6, addr.c_str(), a.address.data()) == 1) {
      a.family = AF_INET6;
      a.prefix = 128;
    } else {
      continue;
    }
    out.push_back(a);
  }
  return out;
}

EgressPlan plan_egress(const std::vector<EgressRule>& rules, const std::vector<EgressAllow>& nameservers,
                       bool own_netns, const Resolver& resolve, const std::string& source) {
  EgressPlan plan;
  plan.loopback = own_netns;
  for (const auto& r : rules) {
    switch (r.kind) {
      case EgressRule::Kind::ipv4:
      case EgressRule::Kind::ipv6: {
        plan.allow.push_back(from_rule(r));
        break;
      }
      case EgressRule::Kind::dns:
        if (nameservers.empty())
          throw Error(source +
                      ": \"dns\" allows the container's nameservers, but its resolv.conf names none");
        for (EgressAllow a : nameservers) {
          a.port_lo = a.port_hi = 53;
          a.entry = "dns";
          plan.allow.push_back(a);
        }
        break;
      case EgressRule::Kind::host: {
        std::vector<EgressAllow> found;
        try {
          found = resolve(r.address);
        } catch (const Error& e) {
          throw e.wrap(source);
        }
        if (found.empty()) throw Error(source + ": host " + r.address + " has no address");
        for (EgressAllow a : found) {
          a.prefix = a.family == AF_INET ? 32 : 128;
          a.port_lo = r.port_lo;
          a.port_hi = r.port_hi;
          a.entry = r.address;
          plan.allow.push_back(a);
        }
        break;
      }
    }
  }
  return plan;
}

std::string describe(const EgressAllow& a) {
  char text[INET6_ADDRSTRLEN] = "";
  ::inet_ntop(a.family, a.address.data(), text, sizeof text);
  std::string cidr = std::string(text) + "/" + std::to_string(a.prefix);
  if (a.family == AF_INET6) cidr = "[" + cidr + "]";
  std::string ports = a.port_lo == a.port_hi ? std::to_string(a.port_lo)
                                             : std::to_string(a.port_lo) + "-" + std::to_string(a.port_hi);
  return cidr + ":" + ports;
}

nlohmann::json EgressPlan::to_json() const {
  nlohmann::json allowed = nlohmann::json::array();
  for (const auto& a : allow) allowed.push_back(describe(a) + (a.entry.empty() ? "" : " (" + a.entry + ")"));
  return {{"allowed", allowed}, {"loopback", loopback}};
}

}  // namespace agentrt::policy
