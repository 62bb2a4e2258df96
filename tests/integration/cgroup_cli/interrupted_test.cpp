// A runtime killed half-way (AGENTRT_FAULT_POINT, oci/support/fault_point.hpp) leaves nothing that `delete
// -f` or a new `create` with the same id cannot clean: no cgroup in any hierarchy, state dir or process.
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>

#include "integration/cgroup_cli/support.hpp"

using namespace cgroup_cli_test;

namespace {

// Processes (other than this test) whose command line names id: the init keeps agentrt's argv until it
// execs, and Bundle::script puts the id in the container's.
std::vector<std::string> processes_naming(const std::string& id) {
  std::vector<std::string> found;
  std::error_code ec;
  for (const auto& e : stdfs::directory_iterator("/proc", ec)) {
    std::string name = e.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos || std::stoi(name) == getpid()) continue;
    std::string cmdline = read_text(e.path() / "cmdline");
    for (auto& c : cmdline)
      if (c == '\0') c = ' ';
    if (contains(cmdline, id)) found.push_back(name + ": " + cmdline);
  }
  return found;
}

Result run_until(const Fixture& fx, const std::vector<std::string>& args, const std::string& point) {
  RunOptions opts;
  opts.env["AGENTRT_FAULT_POINT"] = point;
  return execute(fx.argv(args), opts);
}

void check_nothing_left(const Fixture& fx, const std::string& id) {
  CHECK(eventually([&] { return processes_naming(id).empty(); }, 5));
  for (const auto& p : processes_naming(id)) UNSCOPED_INFO("left process " << p);
  CHECK(processes_naming(id).empty());
  for (const auto& p : cgroups_named(id)) UNSCOPED_INFO("left cgroup " << p);
  CHECK(cgroups_named(id).empty());
  CHECK_FALSE(stdfs::exists(fx.base() / "state" / id));
}

const char* const kCreatePoints[] = {"create:intent-saved", "create:cgroup-made", "create:init-cloned",
                                     "create:init-ready", "create:committed"};

}  // namespace

TEST_CASE("a create killed at any step is cleaned by delete -f, and the id can be created again",
          "[interrupted]") {
  for (const char* point : kCreatePoints) {
    CAPTURE(point);
    Fixture fx;
    auto& b = fx.bundle("killcreate").script("sleep 1000");
    b.resources()["pids"] = {{"limit", 50}};
    b.save();
    Result c = run_until(fx, {"create", "--bundle", b.dir().string(), b.id()}, point);
    INFO("create: " << c.all());
    REQUIRE(c.code == 128 + 9);

    Result l = fx.agentrt({"list"});
    INFO("list: " << l.all());
    CHECK(l.code == 0);
    // What is left reads as stopped, as runc reports a container whose init is gone.
    auto st = fx.state(b.id());
    if (st) CHECK((*st)["status"] == "stopped");

    Result d = fx.agentrt({"delete", "-f", b.id()});
    INFO("delete: " << d.all());
    CHECK(d.code == 0);
    check_nothing_left(fx, b.id());

    Result again = fx.agentrt({"create", "--bundle", b.dir().string(), b.id()});
    INFO("create again: " << again.all());
    CHECK(again.code == 0);
    CHECK(fx.status(b.id()) == "created");
    CHECK(fx.agentrt({"delete", "-f", b.id()}).code == 0);
    check_nothing_left(fx, b.id());
  }
}

TEST_CASE("a create killed at any step is cleaned by the next create with the same id", "[interrupted]") {
  for (const char* point : kCreatePoints) {
    CAPTURE(point);
    Fixture fx;
    auto& b = fx.bundle("recreate").script("sleep 1000");
    b.save();
    Result c = run_until(fx, {"create", "--bundle", b.dir().string(), b.id()}, point);
    INFO("create: " << c.all());
    REQUIRE(c.code == 128 + 9);

    Result again = fx.agentrt({"create", "--bundle", b.dir().string(), b.id()});
    INFO("create again: " << again.all());
    bool committed = std::string(point) == "create:committed";
    if (committed) {
      // The first create had committed: that container exists (stopped, its init gone) until deleted.
      CHECK(again.code != 0);
      CHECK(contains(again.err, "exists"));
      CHECK(fx.agentrt({"delete", b.id()}).code == 0);
      again = fx.agentrt({"create", "--bundle", b.dir().string(), b.id()});
    }
    CHECK(again.code == 0);
    CHECK(fx.status(b.id()) == "created");
    Result s = fx.agentrt({"start", b.id()});
    INFO("start: " << s.all());
    CHECK(s.code == 0);
    CHECK(fx.wait_status(b.id(), "running"));
    CHECK(fx.agentrt({"delete", "-f", b.id()}).code == 0);
    check_nothing_left(fx, b.id());
  }
}

TEST_CASE("a delete -f killed while the container is frozen says so in state; the next delete -f cleans",
          "[interrupted]") {
  // Only v1's kill of a whole cgroup freezes it; v2 kills through cgroup.kill and never freezes, so there
  // is no frozen half-way state to report.
  if (pure_cgroup_v2()) {
    WARN("not run: on pure cgroup v2 delete -f kills through cgroup.kill without freezing");
    return;
  }
  REQUIRE(stdfs::exists("/sys/fs/cgroup/freezer"));
  Fixture fx;
  auto& b = fx.bundle("killdelete").script("sleep 1000");
  // Without a pid namespace delete kills through the whole cgroup (freeze, signal, thaw).
  auto& ns = b.config()["linux"]["namespaces"];
  ns.erase(std::remove_if(ns.begin(), ns.end(), [](const json& n) { return n["type"] == "pid"; }), ns.end());
  fx.run_detached(b);
  Result d = run_until(fx, {"delete", "-f", b.id()}, "cgroup-kill:frozen");
  INFO("delete: " << d.all());
  REQUIRE(d.code == 128 + 9);

  auto st = fx.state(b.id());
  REQUIRE(st);
  INFO("state: " << st->dump());
  CHECK((*st)["status"] == "paused");
  CHECK((*st)["agentrt"]["interrupted"]["operation"] == "delete");
  CHECK(contains((*st)["agentrt"]["interrupted"]["reason"].get<std::string>(), "delete -f"));

  Result again = fx.agentrt({"delete", "-f", b.id()});
  INFO("delete again: " << again.all());
  CHECK(again.code == 0);
  check_nothing_left(fx, b.id());
}

TEST_CASE("a delete -f killed after marking the record shows it in state; the next delete -f cleans",
          "[interrupted]") {
  Fixture fx;
  auto& b = fx.bundle("markdelete").script("sleep 1000");
  fx.run_detached(b);
  Result d = run_until(fx, {"delete", "-f", b.id()}, "delete:marked");
  INFO("delete: " << d.all());
  REQUIRE(d.code == 128 + 9);

  auto st = fx.state(b.id());
  REQUIRE(st);
  INFO("state: " << st->dump());
  CHECK((*st)["status"] == "running");
  CHECK((*st)["agentrt"]["interrupted"]["operation"] == "delete");
  // Without -f a running container is still refused.
  CHECK(fx.agentrt({"delete", b.id()}).code != 0);
  Result again = fx.agentrt({"delete", "-f", b.id()});
  INFO("delete again: " << again.all());
  CHECK(again.code == 0);
  check_nothing_left(fx, b.id());
}
