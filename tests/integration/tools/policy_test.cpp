// The tool containers really run under the agent policy: the runtime records it while the container runs, and
// the same bundle under --profile off differs exactly in no_new_privs and the seccomp filter.
#include <catch2/catch.hpp>
#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "integration/tools/bundle.hpp"

using namespace tools_test;

namespace {

// Prints the confinement, then blocks until the test writes a line on the container's stdin.
const char* kWaitingScript =
    "grep -E '^(NoNewPrivs|Seccomp):' /proc/self/status; read line; echo released $line";

// The state JSON once `agentrt state` reports status running, or null at the deadline.
nlohmann::json state_when_running(const UsrBundle& bundle, const std::string& id) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    Output s = bundle.agentrt({"state", id});
    if (s.code == 0) {
      auto j = nlohmann::json::parse(s.out, nullptr, false);
      if (!j.is_discarded() && j.value("status", "") == "running") return j;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return nullptr;
}

bool has_change_starting(const nlohmann::json& changes, const std::string& prefix) {
  for (const auto& c : changes)
    if (c.is_string() && c.get<std::string>().rfind(prefix, 0) == 0) return true;
  return false;
}

}  // namespace

TEST_CASE("agentrt state shows the agent-default record while a tool container runs", "[tools][policy]") {
  UsrBundle bundle;
  std::string id = unique_id("state");
  auto child = bundle.start_run(id, "", kWaitingScript);
  nlohmann::json st = state_when_running(bundle, id);
  child->send("go\n");
  child->close_stdin();
  Output r = child->wait(std::chrono::seconds(30));
  INFO("run: exit " << r.code << "\n" << r.out << r.err);
  REQUIRE_FALSE(st.is_null());
  INFO("state: " << st.dump(2));
  REQUIRE(st.contains("agentrt"));
  const auto& policy = st["agentrt"]["agentPolicy"];
  CHECK(policy["profile"] == "agent-default");
  CHECK(has_change_starting(policy["changes"], "seccomp: the spec has no filter"));
  CHECK(has_change_starting(policy["changes"], "process: noNewPrivileges set"));
  CHECK(has_change_starting(policy["changes"], "resources: pids limit set to"));
  CHECK(r.code == 0);
  CHECK(r.out == std::string(kPolicyMarkers) + "released go\n");
}

TEST_CASE("the agent policy is the only difference from --profile off", "[tools][policy]") {
  UsrBundle bundle;
  // A denied call shows the filter at work: unshare(2) is in agent-default's floor.
  std::string script = std::string(kShowConfinement) +
                       "unshare --user true 2>/dev/null && echo unshare=ok || echo unshare=denied; "
                       "ip -o link show lo | grep -o 'state [A-Z]*'";
  Output on = bundle.run(unique_id("on"), "", script);
  Output off = bundle.run(unique_id("off"), "off", script);
  INFO("agent-default: exit " << on.code << "\n" << on.out << on.err);
  INFO("off: exit " << off.code << "\n" << off.out << off.err);
  REQUIRE(on.code == 0);
  REQUIRE(off.code == 0);
  CHECK(on.out == std::string(kPolicyMarkers) + "unshare=denied\nstate UNKNOWN\n");
  CHECK(off.out == "NoNewPrivs:\t0\nSeccomp:\t0\nunshare=ok\nstate UNKNOWN\n");
}
