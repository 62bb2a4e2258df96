#include "policy/egress_rules.hpp"

#include <arpa/inet.h>

#include <cctype>

#include "oci/support/error.hpp"

namespace agentrt::policy {
namespace {

int parse_number(const std::string& s, int max, const std::string& what) {
  if (s.empty() || s.size() > 5) throw Error(what);
  int v = 0;
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c))) throw Error(what);
    v = v * 10 + (c - '0');
  }
  if (v > max) throw Error(what);
  return v;
}

void parse_ports(const std::string& text, EgressRule& rule, const std::string& what) {
  size_t dash = text.find('-');
  if (dash == std::string::npos) {
    rule.port_lo = rule.port_hi = static_cast<uint16_t>(parse_number(text, 65535, what));
  } else {
    rule.port_lo = static_cast<uint16_t>(parse_number(text.substr(0, dash), 65535, what));
    rule.port_hi = static_cast<uint16_t>(parse_number(text.substr(dash + 1), 65535, what));
  }
  if (rule.port_lo == 0 || rule.port_lo > rule.port_hi) throw Error(what);
}

bool is_host_name(const std::string& s) {
  if (s.empty() || s.size() > 253 || s.front() == '.' || s.front() == '-') return false;
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.') return false;
  return true;
}

// address[/prefix] of the given family into rule; false when it is not an address of that family.
bool parse_cidr(const std::string& text, int family, EgressRule& rule, const std::string& what) {
  size_t slash = text.find('/');
  std::string addr = text.substr(0, slash);
  unsigned char buf[16];
  if (::inet_pton(family, addr.c_str(), buf) != 1) return false;
  int max = family == AF_INET ? 32 : 128;
  rule.kind = family == AF_INET ? EgressRule::Kind::ipv4 : EgressRule::Kind::ipv6;
  rule.address = addr;
  rule.prefix = slash == std::string::npos ? max : parse_number(text.substr(slash + 1), max, what);
  return true;
}

EgressRule parse_entry(const std::string& e, const std::string& source) {
  const std::string what =
      source + ": invalid egress entry \"" + e +
      "\" (expected CIDR, CIDR:port, CIDR:lo-hi, [IPv6-CIDR]:port, host:port, dns or none)";
  EgressRule rule;
  if (e == "dns") {
    rule.kind = EgressRule::Kind::dns;
    rule.port_lo = rule.port_hi = 53;
    return rule;
  }
  if (!e.empty() && e.front() == '[') {
    size_t close = e.find(']');
    if (close == std::string::npos || !parse_cidr(e.substr(1, close - 1), AF_INET6, rule, what))
      throw Error(what);
    std::string rest = e.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') throw Error(what);
      parse_ports(rest.substr(1), rule, what);
    }
    return rule;
  }
  if (parse_cidr(e, AF_INET6, rule, what)) return rule;  // bare IPv6: no port possible
  size_t colon = e.rfind(':');
  std::string head = e.substr(0, colon);
  if (parse_cidr(head, AF_INET, rule, what)) {
    if (colon != std::string::npos) parse_ports(e.substr(colon + 1), rule, what);
    return rule;
  }
  if (colon == std::string::npos || !is_host_name(head))
    throw Error(what + (colon == std::string::npos && is_host_name(e) ? ": a host name needs a port" : ""));
  rule.kind = EgressRule::Kind::host;
  rule.address = head;
  rule.prefix = 0;
  parse_ports(e.substr(colon + 1), rule, what);
  return rule;
}

}  // namespace

std::vector<EgressRule> parse_egress(const std::vector<std::string>& entries, const std::string& source) {
  std::vector<EgressRule> rules;
  for (const auto& e : entries) {
    if (e == "none") {
      if (entries.size() != 1) throw Error(source + ": \"none\" cannot be combined with other entries");
      return {};
    }
    rules.push_back(parse_entry(e, source));
  }
  return rules;
}

}  // namespace agentrt::policy
