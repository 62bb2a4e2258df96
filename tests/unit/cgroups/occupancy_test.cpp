#include "cgroups/occupancy.hpp"

#include <catch2/catch.hpp>

using namespace agentrt::cgroups;

TEST_CASE("occupancy: a new or empty cgroup below the root may be taken") {
  CHECK_FALSE(refusal("/agents/a1", "/sys/fs/cgroup/pids/agents/a1", {}));
}

TEST_CASE("occupancy: the root of a hierarchy is refused, whatever it holds") {
  auto why = refusal("/", "/sys/fs/cgroup/pids", {});
  REQUIRE(why);
  CHECK(why->find("/sys/fs/cgroup/pids is the root of the hierarchy") != std::string::npos);
  CHECK(refusal("", "/sys/fs/cgroup", {}));
}

TEST_CASE("occupancy: a cgroup holding processes is refused, naming them") {
  auto why = refusal("/host", "/sys/fs/cgroup/pids/host", {{1234, "sleep"}});
  REQUIRE(why);
  CHECK(*why ==
        "cgroup /sys/fs/cgroup/pids/host already holds 1 process (1234 sleep): a container needs a new or "
        "empty cgroup");
}

TEST_CASE("occupancy: at most five processes are named, then how many more") {
  std::vector<Occupant> many;
  for (int i = 1; i <= 7; ++i) many.push_back({i, "p" + std::to_string(i)});
  CHECK(describe_occupants(many) == "1 p1, 2 p2, 3 p3, 4 p4, 5 p5 and 2 more");
  auto why = refusal("/x", "/cg/x", many);
  REQUIRE(why);
  CHECK(why->find("already holds 7 processes") != std::string::npos);
}
