// The same lifecycle scenarios against runc 1.1.5 and agentrt: identical exit codes and states after each
// step.
#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "support.hpp"

using namespace surface_test;

namespace {

struct Step {
  std::vector<std::string> args;  // "ID" is replaced by the container id
  bool settle = false;            // a kill: give the status a moment to become "stopped"
};

struct Scenario {
  std::string name;
  std::vector<std::string> init;
  std::vector<Step> steps;
};

struct Observed {
  int code;
  std::string status;
};

std::vector<Observed> play(const Runtime& rt, Bundle& b, const Scenario& s) {
  b.args(s.init);
  b.save();
  rt.track(b.id());
  std::vector<Observed> seen;
  for (const auto& step : s.steps) {
    std::vector<std::string> args;
    for (const auto& a : step.args) args.push_back(a == "ID" ? b.id() : a == "BUNDLE" ? b.dir().string() : a);
    auto r = rt(args);
    if (step.settle) rt.wait_status(b.id(), "stopped", 1.5);
    if (step.args[0] == "start" && r.code == 0) rt.wait_status(b.id(), "running", 1.0);
    seen.push_back({r.code, rt.status(b.id())});
  }
  return seen;
}

std::string describe(const Step& s) {
  std::string d;
  for (const auto& a : s.args) d += a + " ";
  return d;
}

const char* kTrapTerm = "trap 'exit 3' TERM; while :; do sleep 0.1; done";

}  // namespace

TEST_CASE("agentrt matches runc step by step", "[runc]") {
  const std::vector<Step> create_start = {{{"create", "--bundle", "BUNDLE", "ID"}}, {{"start", "ID"}}};
  auto with = [&](std::vector<Step> more) {
    auto v = create_start;
    v.insert(v.end(), more.begin(), more.end());
    return v;
  };
  const std::vector<Scenario> scenarios = {
      {"exec exit codes",
       {"sleep", "1000"},
       with({{{"exec", "ID", "sh", "-c", "exit 7"}},
             {{"exec", "ID", "true"}},
             {{"exec", "ID", "false"}},
             {{"exec", "ID", "sh", "-c", "kill -9 $$"}},
             {{"exec", "ID", "/no/such/binary"}},
             {{"exec", "--cwd", "/no/such/dir", "ID", "true"}},
             {{"kill", "ID", "KILL"}, true},
             {{"exec", "ID", "true"}},
             {{"delete", "ID"}},
             {{"state", "ID"}}})},
      {"kill signals",
       {"sh", "-c", kTrapTerm},
       with({{{"kill", "ID", "USR1"}, false},
             {{"kill", "ID", "0"}},
             {{"kill", "ID", "NOSUCHSIGNAL"}},
             {{"kill", "ID", "SIGTERM"}, true},
             {{"kill", "ID", "KILL"}},
             {{"delete", "ID"}}})},
      {"kill a created container",
       {"sleep", "1000"},
       {{{"state", "ID"}},
        {{"create", "--bundle", "BUNDLE", "ID"}},
        {{"create", "--bundle", "BUNDLE", "ID"}},
        {{"kill", "ID", "9"}, true},
        {{"start", "ID"}},
        {{"delete", "ID"}}}},
      {"start twice and delete while running",
       {"sleep", "1000"},
       with({{{"start", "ID"}},
             {{"delete", "ID"}},
             {{"pause", "ID"}},
             {{"exec", "ID", "true"}},
             {{"resume", "ID"}},
             {{"delete", "-f", "ID"}},
             {{"delete", "ID"}}})},
      {"exec in a created container",
       {"sleep", "1000"},
       {{{"create", "--bundle", "BUNDLE", "ID"}}, {{"exec", "ID", "true"}}, {{"delete", "-f", "ID"}}}},
      {"run propagates the exit code",
       {"sh", "-c", "exit 4"},
       {{{"run", "--bundle", "BUNDLE", "ID"}}, {{"state", "ID"}}, {{"delete", "ID"}}, {{"delete", "ID"}}}},
      {"run --detach then kill",
       {"sleep", "1000"},
       {{{"run", "-d", "--bundle", "BUNDLE", "ID"}},
        {{"exec", "ID", "sh", "-c", "exit 9"}},
        {{"kill", "ID", "TERM"}},
        {{"kill", "--all", "ID", "KILL"}, true},
        {{"delete", "ID"}}}},
      {"process exits by itself",
       {"sh", "-c", "exit 4"},
       with({{{"kill", "ID", "KILL"}}, {{"delete", "ID"}}})},
  };
  for (const auto& s : scenarios) {
    DYNAMIC_SECTION(s.name) {
      Runtime runc("/usr/sbin/runc", "cmp-runc", {});
      Runtime ours(AGENTRT_BIN, "cmp-ours", agentrt_globals());
      Bundle rb("cmp-r"), ob("cmp-o");
      auto want = play(runc, rb, s);
      auto got = play(ours, ob, s);
      REQUIRE(want.size() == got.size());
      for (size_t i = 0; i < want.size(); ++i) {
        INFO(s.name << " step " << i << ": " << describe(s.steps[i]));
        CHECK(got[i].code == want[i].code);
        CHECK(got[i].status == want[i].status);
      }
    }
  }
}
