// Which egress denials a look copies into the audit trail (runtime/audit_egress.hpp), without a kernel.
#include "runtime/audit_egress.hpp"

#include <catch2/catch.hpp>
#include <cerrno>

using agentrt::policy::EgressDenial;
using agentrt::policy::EgressStats;
using agentrt::runtime::plan_egress_copy;

namespace {

EgressStats stats_with(uint64_t total, uint64_t first_kept) {
  EgressStats s{total, {}};
  for (uint64_t seq = first_kept; seq <= total; ++seq)
    s.recent.push_back(
        EgressDenial{seq * 1000, 42, "probe", "10.0.0." + std::to_string(seq) + ":80/tcp", EPERM, seq});
  return s;
}

}  // namespace

TEST_CASE("egress copy: only what follows the marker, with realtime stamps") {
  auto plan = plan_egress_copy(stats_with(5, 1), 3, 1'000'000);
  REQUIRE(plan.records.size() == 2);
  CHECK(plan.last_seq == 5);
  CHECK(plan.records[0]["destination"] == "10.0.0.4:80/tcp");
  CHECK(plan.records[0]["timeNs"] == 4000 + 1'000'000);
  CHECK(plan.records[0]["source"] == "egress");
  CHECK(plan.records[0]["errnoName"] == "EPERM");
  CHECK(plan.records[1]["destination"] == "10.0.0.5:80/tcp");
}

TEST_CASE("egress copy: nothing new copies nothing") {
  auto plan = plan_egress_copy(stats_with(5, 1), 5, 0);
  CHECK(plan.records.empty());
  CHECK(plan.last_seq == 5);
  CHECK(plan_egress_copy(EgressStats{0, {}}, 0, 0).records.empty());
}

TEST_CASE("egress copy: denials overwritten before the look are counted in a notice first") {
  auto plan = plan_egress_copy(stats_with(40, 25), 10, 0);  // 11..24 scrolled out
  REQUIRE(plan.records.size() == 1 + 16);
  CHECK(plan.records[0]["source"] == "agentrt");
  CHECK(plan.records[0]["notice"].get<std::string>().rfind("14 egress denial(s)", 0) == 0);
  CHECK(plan.records[1]["destination"] == "10.0.0.25:80/tcp");
  CHECK(plan.last_seq == 40);
}

TEST_CASE("egress copy: a count with none of its records kept is all lost") {
  EgressStats s{7, {}};
  auto plan = plan_egress_copy(s, 2, 0);
  REQUIRE(plan.records.size() == 1);
  CHECK(plan.records[0]["notice"].get<std::string>().rfind("5 egress denial(s)", 0) == 0);
  CHECK(plan.last_seq == 7);
}
