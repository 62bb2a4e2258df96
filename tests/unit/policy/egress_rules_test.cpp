#include "policy/egress_rules.hpp"

#include <catch2/catch.hpp>

#include "oci/support/error.hpp"

using namespace agentrt;
using namespace agentrt::policy;
using Kind = EgressRule::Kind;

TEST_CASE("egress: every entry form parses", "[egress]") {
  auto rules = parse_egress({"10.0.0.0/8", "192.0.2.1:443", "198.51.100.0/24:8000-8080",
                             "[2001:db8::/32]:443", "2001:db8::1", "example.com:443", "dns"},
                            "x");
  REQUIRE(rules.size() == 7);
  CHECK((rules[0].kind == Kind::ipv4 && rules[0].address == "10.0.0.0" && rules[0].prefix == 8));
  CHECK((rules[0].port_lo == 0 && rules[0].port_hi == 65535));
  CHECK((rules[1].prefix == 32 && rules[1].port_lo == 443 && rules[1].port_hi == 443));
  CHECK((rules[2].prefix == 24 && rules[2].port_lo == 8000 && rules[2].port_hi == 8080));
  CHECK((rules[3].kind == Kind::ipv6 && rules[3].address == "2001:db8::" && rules[3].prefix == 32));
  CHECK(rules[3].port_lo == 443);
  CHECK((rules[4].kind == Kind::ipv6 && rules[4].prefix == 128));
  CHECK((rules[5].kind == Kind::host && rules[5].address == "example.com" && rules[5].port_lo == 443));
  CHECK((rules[6].kind == Kind::dns && rules[6].port_lo == 53));
  CHECK(parse_egress({"none"}, "x").empty());
}

TEST_CASE("egress: malformed entries name the source and the entry", "[egress]") {
  for (const char* bad : {"10.0.0.0/33", "10.0.0.1:0", "10.0.0.1:70000", "10.0.0.1:90-80", "[2001:db8::1",
                          "[2001:db8::]/x", "host name:80", "-x:80", "10.0.0.1:", "[::1]:1-"}) {
    INFO(bad);
    REQUIRE_THROWS_WITH(parse_egress({bad}, "--egress"),
                        Catch::StartsWith(std::string("--egress: invalid egress entry \"") + bad + "\""));
  }
  REQUIRE_THROWS_WITH(parse_egress({"none", "dns"}, "--egress"),
                      "--egress: \"none\" cannot be combined with other entries");
}
