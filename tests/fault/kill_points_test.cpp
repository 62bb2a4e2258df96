// SIGKILL at every step: each command runs under the ptrace stepper and dies at the entry of its Nth system
// call, for every N (or every FAULT_STRIDE-th) until it finishes by itself. After each kill: `list` and
// `state` answer, `delete -f` cleans, nothing carrying the run's tag is left (cgroup in any hierarchy, mount,
// state dir, process, zombie, fd of this process), and a second `create` with the same id works.
#include <seccomp.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <sstream>

#include "fault_env.hpp"
#include "integration_support/text.hpp"
#include "stepper.hpp"

namespace fault {
namespace {

long stride() {
  const char* s = getenv("FAULT_STRIDE");
  return s ? std::max(1L, std::atol(s)) : 1;
}

std::string syscall_name(const std::string& nr) {
  char* name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, std::stoi(nr));
  std::string s = name ? name : nr;
  free(name);
  return s;
}

struct Scenario {
  std::string command;
  // Brings the container to where the command starts from (nothing for create).
  std::function<void(const FaultEnv&, const std::string& id)> prepare;
  std::function<std::vector<std::string>(const FaultEnv&, const std::string& id)> args;
};

void created(const FaultEnv& env, const std::string& id) {
  auto r = env.create(id);
  REQUIRE(r.code == 0);
}

void running(const FaultEnv& env, const std::string& id) {
  created(env, id);
  auto r = env.run({"start", id});
  REQUIRE(r.code == 0);
}

// What is wrong after the kill ("" when nothing): the recovery commands and the census.
std::string check_after_kill(const FaultEnv& env, const std::string& id, const itest::Census& before) {
  std::ostringstream bad;
  auto list = env.run({"list"}, 10);
  if (list.code != 0) bad << "list: exit " << list.code << " " << list.err << "; ";
  auto state = env.run({"state", id}, 10);
  bool exists = state.code == 0;
  if (state.code == -1) bad << "state: timed out; ";
  if (exists && nlohmann::json::parse(state.out, nullptr, false).is_discarded()) bad << "state: not JSON; ";
  if (!exists && state.code != -1 && !itest::contains(state.err, "does not exist"))
    bad << "state: exit " << state.code << " " << state.err << "; ";
  auto del = env.run({"delete", "-f", id}, 10);
  if (del.code != 0 && (exists || !itest::contains(del.err, "does not exist")))
    bad << "delete -f: exit " << del.code << " " << itest::trim(del.err) << "; ";
  if (auto diff = itest::census_diff(before, env.census()); !diff.empty())
    bad << "left after delete -f:\n" << diff;
  auto again = env.create(id);
  if (again.code != 0) bad << "second create: exit " << again.code << " " << itest::trim(again.err) << "; ";
  auto del2 = env.run({"delete", "-f", id}, 10);
  if (again.code == 0 && del2.code != 0) bad << "delete -f after second create: exit " << del2.code << "; ";
  if (auto diff = itest::census_diff(before, env.census()); !diff.empty())
    bad << "left after second create + delete -f:\n" << diff;
  return bad.str();
}

void run_kill_points(const Scenario& sc) {
  FaultEnv env("kill-" + sc.command);
  long step = stride();
  long points = 0, failed = 0, total = 0;
  std::ostringstream failures;
  for (long n = 1;; n += step) {
    std::string id = env.id(std::to_string(n));
    auto before = env.census();
    sc.prepare(env, id);
    auto outcome = run_stepped(env.runtime().argv(sc.args(env, id)), n, (env.base() / "step.out").string());
    if (!outcome.killed) {
      total = outcome.syscalls;
      INFO("the command itself, run to the end: " << itest::read_text(env.base() / "step.out"));
      CHECK(outcome.exit_code == 0);
      env.run({"delete", "-f", id}, 10);
      CHECK(itest::census_diff(before, env.census()) == "");
      break;
    }
    ++points;
    auto problem = check_after_kill(env, id, before);
    if (!problem.empty()) {
      ++failed;
      failures << "kill at syscall " << n << " (" << syscall_name(outcome.killed_in) << "): " << problem
               << "\n";
      auto removed = env.scrub();
      if (!removed.empty()) failures << "  removed by hand: " << removed.size() << " items\n";
    }
  }
  std::cout << "fault " << sc.command << ": " << total << " syscalls, stride " << step << ", " << points
            << " kill points, " << points - failed << " passed, " << failed << " failed\n"
            << failures.str() << std::flush;
  CHECK(points > 0);
  CHECK(failed == 0);
}

}  // namespace

TEST_CASE("SIGKILL at every step of create", "[kill][create]") {
  run_kill_points({"create", [](const FaultEnv&, const std::string&) {},
                   [](const FaultEnv& env, const std::string& id) {
                     return std::vector<std::string>{"create", "--bundle", env.bundle(), id};
                   }});
}

TEST_CASE("SIGKILL at every step of start", "[kill][start]") {
  run_kill_points({"start", created, [](const FaultEnv&, const std::string& id) {
                     return std::vector<std::string>{"start", id};
                   }});
}

TEST_CASE("SIGKILL at every step of exec", "[kill][exec]") {
  run_kill_points({"exec", running, [](const FaultEnv&, const std::string& id) {
                     return std::vector<std::string>{"exec", id, "true"};
                   }});
}

TEST_CASE("SIGKILL at every step of delete", "[kill][delete]") {
  run_kill_points({"delete", running, [](const FaultEnv&, const std::string& id) {
                     return std::vector<std::string>{"delete", "-f", id};
                   }});
}

TEST_CASE("SIGKILL at every step of update", "[kill][update]") {
  run_kill_points({"update", running, [](const FaultEnv&, const std::string& id) {
                     return std::vector<std::string>{"update", "--memory", "64M", "--pids-limit", "100", id};
                   }});
}

}  // namespace fault
