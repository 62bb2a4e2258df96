#include "seccomp/agent_profile.hpp"

#include <catch2/catch.hpp>
#include <random>

#include "helpers.hpp"
#include "oci/support/error.hpp"
#include "seccomp/layer.hpp"

using namespace agentrt;
using namespace agentrt::seccomp;
using namespace agentrt::seccomp::test;

namespace {

// How many of the conditions match v (the complement must match exactly once outside the points).
int matches(const std::vector<oci::SeccompArg>& conds, uint64_t v) {
  int n = 0;
  for (const auto& c : conds) n += arg_matches(c, v) ? 1 : 0;
  return n;
}

}  // namespace

TEST_CASE("complement: covers every value but the points exactly once", "[profile]") {
  std::vector<uint64_t> points{0, 8, 0x20000, 0x20008, 0xffffffff};
  for (int width : {32, 64}) {
    auto conds = complement(0, points, width);
    std::vector<uint64_t> probes{1, 7, 9, 0x1ffff, 0x20001, 0x20007, 0x20009, 0xfffffffe, 0x12345678};
    for (uint64_t p : points) REQUIRE(matches(conds, p) == 0);
    for (uint64_t v : probes) {
      INFO("width " << width << " value " << v);
      REQUIRE(matches(conds, v) == 1);
    }
    std::mt19937_64 rng(42);
    for (int i = 0; i < 2000; ++i) {
      uint64_t v = rng() >> (rng() % 64);
      bool point =
          std::find(points.begin(), points.end(), width == 32 ? (v & 0xffffffff) : v) != points.end();
      INFO("width " << width << " value " << v);
      REQUIRE(matches(conds, v) == (point ? 0 : 1));
    }
  }
  // Width 32 ignores the high word: 0x1_00000008 is the point 8 to the kernel.
  REQUIRE(matches(complement(0, points, 32), 0x100000008ULL) == 0);
  REQUIRE(matches(complement(0, points, 64), 0x100000008ULL) == 1);
}

TEST_CASE("profiles: the three agent profiles load from the embedded data", "[profile]") {
  for (const char* name : {"agent-default", "agent-dev", "agent-nested"}) {
    auto p = load_agent_profile(name);
    REQUIRE(p.name == name);
    REQUIRE(p.pids_limit == 4096);
    REQUIRE(!p.floor.empty());
  }
  REQUIRE_THROWS_WITH(load_agent_profile("agent-bogus"), "unknown agent profile \"agent-bogus\"");
  REQUIRE_THROWS_WITH(load_agent_profile("base"), "unknown agent profile \"base\"");
  auto base = base_filter();
  REQUIRE(base.default_action == oci::SeccompAction::errno_ret);
  REQUIRE(base.syscalls.size() == 1);
  REQUIRE(base.syscalls[0].names.size() > 300);
}

TEST_CASE("profiles: agent-dev keeps CAP_SYS_PTRACE and allows ptrace, agent-default does not", "[profile]") {
  auto has = [](const AgentProfile& p, const std::string& call) {
    for (const auto& f : p.floor)
      if (f.syscall == call) return true;
    return false;
  };
  auto def = load_agent_profile("agent-default");
  auto dev = load_agent_profile("agent-dev");
  auto nested = load_agent_profile("agent-nested");
  REQUIRE(has(def, "ptrace"));
  REQUIRE_FALSE(has(dev, "ptrace"));
  REQUIRE_FALSE(has(dev, "perf_event_open"));
  REQUIRE(has(nested, "ptrace"));
  REQUIRE_FALSE(has(nested, "unshare"));
  REQUIRE_FALSE(has(nested, "mount"));
  REQUIRE(has(nested, "setns"));
  const auto& dc = def.drop_capabilities;
  const auto& vc = dev.drop_capabilities;
  REQUIRE(std::count(dc.begin(), dc.end(), "CAP_SYS_PTRACE") == 1);
  REQUIRE(std::count(vc.begin(), vc.end(), "CAP_SYS_PTRACE") == 0);
  REQUIRE(dc.size() == 13);
}

TEST_CASE("profiles: malformed profile data is an error naming the JSON path", "[profile]") {
  REQUIRE_THROWS_WITH(parse_agent_profile("t", R"({"floor": [{"names": ["x"], "action": "SCMP_ACT_NOPE"}]})"),
                      "profile t: floor[0].action: unknown action \"SCMP_ACT_NOPE\"");
  REQUIRE_THROWS_WITH(parse_agent_profile("t", R"({"dropCapabilities": ["CAP_NOPE"], "floor": []})"),
                      "profile t: dropCapabilities: unknown capability \"CAP_NOPE\"");
  REQUIRE_THROWS_WITH(parse_agent_profile("t", R"({"floor": [{"names": ["x"], "action": "SCMP_ACT_ERRNO",
      "argFilter": {"index": 9, "allow": [1]}}]})"),
                      "profile t: floor[0].argFilter.index: expected 0..5");
  REQUIRE_THROWS_WITH(
      parse_agent_profile("t", R"({"floor": [{"names": ["x"], "action": "SCMP_ACT_ERRNO",
      "argFilter": {"index": 0}}]})"),
      "profile t: floor[0].argFilter: expected exactly one of \"allow\", \"deny\", \"denyBits\"");
  REQUIRE_THROWS_AS(parse_agent_profile("t", "{"), Error);
}

TEST_CASE("profiles: JSON of the wrong type is an Error, not a library exception", "[profile]") {
  REQUIRE_THROWS_AS(parse_agent_profile("t", R"({"pidsLimit": "many", "floor": []})"), Error);
  REQUIRE_THROWS_AS(parse_agent_profile("t", R"({"floor": [{"names": ["x"], "action": "SCMP_ACT_ERRNO",
      "argFilter": {"index": 0, "denyBits": "x"}}]})"),
                    Error);
  REQUIRE_THROWS_AS(parse_seccomp_json(R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["x"],
      "action": "SCMP_ACT_ALLOW", "args": [{"index": "0", "value": 1, "op": "SCMP_CMP_EQ"}]}]})",
                                       "t"),
                    Error);
}
