// Values the kernel refuses or silently truncates are refused at parse time, naming the field.
#include <catch2/catch.hpp>
#include <string>

#include "helpers.hpp"

using namespace agentrt::oci;
using namespace agentrt::oci::test;
using nlohmann::json;

TEST_CASE("hostname and domainname longer than HOST_NAME_MAX are refused", "[parse][limits]") {
  CHECK(spec_error(set(minimal(), "/hostname", std::string(64, 'h'))) == "<no error>");
  CHECK(spec_error(set(minimal(), "/hostname", std::string(1 << 20, 'h'))) ==
        "hostname: longer than 64 bytes (1048576), the kernel's limit");
  CHECK(spec_error(set(minimal(), "/domainname", std::string(65, 'd'))) ==
        "domainname: longer than 64 bytes (65), the kernel's limit");
  CHECK(spec_error(set(minimal(), "/hostname", std::string("a\0b", 3))) == "hostname: contains a NUL byte");
}

TEST_CASE("env entries and args with a NUL byte are refused", "[parse][limits]") {
  auto env = set(with_process(), "/process/env", json::array({"A=1", std::string("B=x\0y", 5)}));
  CHECK(spec_error(env) == "process.env[1]: contains a NUL byte");
  auto args = set(with_process(), "/process/args", json::array({"sh", std::string("-c\0x", 4)}));
  CHECK(spec_error(args) == "process.args[1]: contains a NUL byte");
}

TEST_CASE("more additionalGids than NGROUPS_MAX are refused", "[parse][limits]") {
  json gids = json::array();
  for (int i = 0; i < 65536; ++i) gids.push_back(i);
  CHECK(spec_error(set(with_process(), "/process/user/additionalGids", gids)) == "<no error>");
  gids.push_back(70000);
  CHECK(spec_error(set(with_process(), "/process/user/additionalGids", gids)) ==
        "process.user.additionalGids: 65537 groups, more than the kernel's NGROUPS_MAX (65536)");
}

TEST_CASE("an effective capability must be in the permitted set", "[parse][limits]") {
  auto j = set(with_process(), "/process/capabilities",
               {{"effective", {"CAP_KILL", "CAP_CHOWN"}}, {"permitted", {"CAP_KILL"}}});
  CHECK(spec_error(j) ==
        "process.capabilities.effective: CAP_CHOWN is not in the permitted set "
        "(process.capabilities.permitted)");
  j["process"]["capabilities"]["permitted"].push_back("CAP_CHOWN");
  CHECK(spec_error(j) == "<no error>");
}

TEST_CASE("memory byte counts below -1 are refused", "[parse][limits]") {
  for (const char* field : {"limit", "reservation", "swap"}) {
    INFO(field);
    auto j = set(minimal(), std::string("/linux/resources/memory/") + field, -1);
    CHECK(spec_error(j) == "<no error>");
    j = set(minimal(), std::string("/linux/resources/memory/") + field, -5);
    CHECK(spec_error(j) == std::string("linux.resources.memory.") + field +
                               ": expected -1 (unlimited) or a number of bytes, got -5");
  }
}
