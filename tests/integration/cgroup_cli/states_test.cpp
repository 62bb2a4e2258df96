// The cgroup commands on containers that are created, paused or stopped rather than running.
#include <catch2/catch.hpp>
#include <fstream>

#include "integration/cgroup_cli/support.hpp"

using namespace cgroup_cli_test;

namespace {

std::vector<int> procs(const stdfs::path& cgroup) {
  std::vector<int> pids;
  std::ifstream in(cgroup / "cgroup.procs");
  for (int p; in >> p;) pids.push_back(p);
  return pids;
}

}  // namespace

TEST_CASE("a created container's init is in its cgroups before start", "[states]") {
  Fixture fx;
  auto& b = fx.bundle("created").script("while true; do sleep 1; done");
  b.save();
  REQUIRE(fx.agentrt({"create", "--bundle", b.dir().string(), b.id()}).code == 0);
  REQUIRE(fx.status(b.id()) == "created");
  int pid = fx.state(b.id())->value("pid", 0);
  REQUIRE(pid > 0);
  auto pids = ProcessCgroup(pid).dir("pids");
  CHECK(contains(pids.string(), b.id()));

  Result js = fx.agentrt({"ps", "-f", "json", b.id()});
  INFO(js.all());
  REQUIRE(js.code == 0);
  CHECK(json::parse(js.out).get<std::vector<int>>() == std::vector<int>{pid});

  Result u = fx.agentrt({"update", "--pids-limit", "12", b.id()});
  INFO(u.all());
  CHECK(u.code == 0);
  CHECK(read_cgroup_number(pids / "pids.max") == 12);
}

TEST_CASE("pause and resume refuse containers in the wrong state", "[states]") {
  Fixture fx;
  auto& b = fx.bundle("pausestates").script("while true; do sleep 1; done");
  int pid = fx.run_detached(b);
  ProcessCgroup cg(pid);

  Result r = fx.agentrt({"resume", b.id()});
  CHECK(r.code != 0);
  CHECK(contains(r.err, "not paused"));
  REQUIRE(fx.agentrt({"pause", b.id()}).code == 0);
  Result again = fx.agentrt({"pause", b.id()});
  CHECK(again.code != 0);
  CHECK(cg.frozen());
  REQUIRE(fx.agentrt({"resume", b.id()}).code == 0);
  CHECK_FALSE(cg.frozen());

  REQUIRE(fx.agentrt({"kill", b.id(), "KILL"}).code == 0);
  REQUIRE(fx.wait_status(b.id(), "stopped"));
  Result stopped = fx.agentrt({"pause", b.id()});
  CHECK(stopped.code != 0);
  CHECK(contains(stopped.err, "not running"));
}

TEST_CASE("delete -f of a paused container kills its exec'd processes and removes its cgroups", "[states]") {
  Fixture fx;
  auto& b = fx.bundle("delpaused").script("while true; do sleep 1; done");
  int pid = fx.run_detached(b);
  Result e = fx.agentrt({"exec", "-d", b.id(), "sleep", "777"});
  INFO(e.all());
  REQUIRE(e.code == 0);
  ProcessCgroup cg(pid);
  REQUIRE(eventually([&] { return procs(cg.dir("pids")).size() >= 3; }, 5));
  auto before = procs(cg.dir("pids"));

  Result table = fx.agentrt({"ps", b.id()});
  CHECK(contains(table.out, "sleep 777"));
  REQUIRE(fx.agentrt({"pause", b.id()}).code == 0);

  Result d = fx.agentrt({"delete", "-f", b.id()});
  INFO(d.all());
  REQUIRE(d.code == 0);
  for (const auto& dir : cg.dirs()) {
    if (contains(dir.string(), b.id())) CHECK_FALSE(stdfs::exists(dir));
  }
  for (int p : before) {
    INFO("pid " << p);
    CHECK(eventually([&] { return !stdfs::exists("/proc/" + std::to_string(p)); }, 5));
  }
}
