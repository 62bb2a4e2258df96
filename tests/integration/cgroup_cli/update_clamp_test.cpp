// agentrt update under an agent profile: "unlimited" pids is clamped to the profile's limit, as create does.
#include <catch2/catch.hpp>

#include "integration/cgroup_cli/support.hpp"
#include "seccomp/agent_profile.hpp"

using namespace cgroup_cli_test;

TEST_CASE("update --pids-limit -1 or 0 keeps the agent profile's pids limit", "[update][agent]") {
  const long long floor = agentrt::seccomp::load_agent_profile("agent-default").pids_limit;
  REQUIRE(floor > 0);
  Fixture fx;
  auto& b = fx.bundle("dcli-pids").script("touch /ctl/ready; while true; do sleep 1; done");
  int pid = fx.run_detached(b, "agent-default");
  auto pids_max = ProcessCgroup(pid).dir("pids") / "pids.max";
  REQUIRE(read_cgroup_number(pids_max) == floor);

  for (const char* unlimited : {"-1", "0"}) {
    INFO("--pids-limit " << unlimited);
    REQUIRE(fx.agentrt({"update", "--pids-limit", "20", b.id()}).code == 0);
    REQUIRE(read_cgroup_number(pids_max) == 20);
    Result r = fx.agentrt({"update", "--pids-limit", unlimited, b.id()});
    INFO(r.all());
    CHECK(r.code == 0);
    CHECK(contains(r.err, "linux.resources.pids.limit: pids limit " + std::string(unlimited) +
                              " (unlimited) is not allowed under the agent-default profile: set to " +
                              std::to_string(floor)));
    CHECK(trim(read_text(pids_max)) == std::to_string(floor));
  }

  // The same JSON through -r, and a container under "off" still gets "max".
  Result r = fx.agentrt({"update", "-r", "-", b.id()}, 30, R"({"pids":{"limit":-1}})");
  CHECK(r.code == 0);
  CHECK(trim(read_text(pids_max)) == std::to_string(floor));

  auto& open = fx.bundle("dcli-pids-off").script("touch /ctl/ready; while true; do sleep 1; done");
  int open_pid = fx.run_detached(open, "off");
  REQUIRE(fx.agentrt({"update", "--pids-limit", "-1", open.id()}).code == 0);
  CHECK(trim(read_text(ProcessCgroup(open_pid).dir("pids") / "pids.max")) == "max");
}
