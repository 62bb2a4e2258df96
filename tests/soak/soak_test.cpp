// Leak accounting: SOAK_CONTAINERS containers (default 1000), SOAK_PARALLEL at a time (default 20), each
// created, started, exec'd into, killed and deleted; every other one under the default agent profile (seccomp
// floor, policy), the rest with --profile off and no seccomp. A census before and after (cgroups in every
// hierarchy, mounts, state dirs, processes, zombies, this process's fds) must match exactly.
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <thread>

#include "integration_support/bundle.hpp"
#include "integration_support/census.hpp"
#include "integration_support/runtime.hpp"
#include "integration_support/text.hpp"

namespace {

namespace stdfs = std::filesystem;

int knob(const char* name, int fallback) {
  const char* v = getenv(name);
  return v ? std::max(1, std::atoi(v)) : fallback;
}

// One container's whole life; "" when every step did what it should, else what went wrong.
std::string one_life(const itest::Runtime& rt, const stdfs::path& bundle, const std::string& id) {
  auto step = [&](const std::vector<std::string>& args) -> std::string {
    auto r = rt(args, 30);
    if (r.code == 0) return "";
    return id + ": " + args[0] + " exit " + std::to_string(r.code) + ": " + itest::trim(r.err);
  };
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"create", "--bundle", bundle, id}, {"start", id}, {"exec", id, "true"}, {"kill", id, "KILL"}})
    if (auto e = step(args); !e.empty()) {
      rt({"delete", "-f", id}, 30);
      return e;
    }
  if (!rt.wait_status(id, "stopped", 10)) return id + ": not stopped 10 s after kill";
  return step({"delete", id});
}

}  // namespace

TEST_CASE("soak: containers come and go without leaving anything", "[soak]") {
  const int total = knob("SOAK_CONTAINERS", 1000);
  const int parallel = knob("SOAK_PARALLEL", 20);
  const std::string tag = "fuzzsoak-" + std::to_string(getpid());
  const stdfs::path base = stdfs::path("/run") / tag;
  itest::Runtime with_policy(itest::agentrt_bin(), base / "state", {});
  itest::Runtime without(itest::agentrt_bin(), base / "state", {"--profile", "off"});
  stdfs::create_directories(with_policy.root());
  // runc's spec has no seccomp: with the policy the container gets the agent filter, without it none.
  itest::Bundle bundle(base / "bundle", tag, itest::runc_spec(tag));
  bundle.script("sleep 1000").save();

  auto before = itest::take_census(tag, with_policy.root());
  std::mutex mu;
  std::vector<std::string> failures;
  std::atomic<int> next{0};
  auto started = std::chrono::steady_clock::now();
  std::vector<std::thread> workers;
  for (int w = 0; w < parallel; ++w)
    workers.emplace_back([&] {
      for (int i = next++; i < total; i = next++) {
        bool policy = i % 2 == 0;
        auto e = one_life(policy ? with_policy : without, bundle.dir(), tag + "-" + std::to_string(i));
        if (!e.empty()) {
          std::lock_guard lock(mu);
          failures.push_back(e);
        }
      }
    });
  for (auto& t : workers) t.join();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  auto after = itest::take_census(tag, with_policy.root());

  std::cout << "soak: " << total << " containers, " << parallel << " at a time, " << seconds << " s; "
            << failures.size() << " failed\n  before: " << itest::census_counts(before)
            << "\n  after:  " << itest::census_counts(after) << "\n";
  for (size_t i = 0; i < failures.size() && i < 20; ++i) std::cout << "  " << failures[i] << "\n";
  std::cout << std::flush;
  CHECK(failures.empty());
  CHECK(itest::census_diff(before, after) == "");
  std::error_code ec;
  stdfs::remove_all(base, ec);
}
