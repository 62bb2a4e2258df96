// agentrt ps lists the container's processes; kill --all signals every one of them.
#include <signal.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "integration/cgroup_cli/support.hpp"

using namespace cgroup_cli_test;

namespace {

const char* kThreeSleepers = "sleep 1001 & sleep 1002 & sleep 1003 & touch /ctl/ready; wait";

bool alive(int pid) {
  // A zombie has left its cgroup and runs nothing.
  std::string st = read_text("/proc/" + std::to_string(pid) + "/stat");
  auto close = st.rfind(')');
  return !st.empty() && close != std::string::npos && st.substr(close + 2, 1) != "Z";
}

std::vector<int> tasks(const stdfs::path& cgroup) {
  std::vector<int> pids;
  std::ifstream in(cgroup / "cgroup.procs");
  for (int p; in >> p;) pids.push_back(p);
  return pids;
}

// Waits until kThreeSleepers is ready and only its init and three sleepers are left in the cgroup (the
// touch that made /ctl/ready may not have exited yet).
void wait_three_sleepers(const Bundle& b, const stdfs::path& cgroup) {
  REQUIRE(eventually([&] { return stdfs::exists(b.ctl() / "ready"); }, 10));
  INFO("cgroup.procs: " << read_text(cgroup / "cgroup.procs"));
  REQUIRE(eventually([&] { return tasks(cgroup).size() == 4; }, 5));
}

}  // namespace

TEST_CASE("ps prints a table and a json array of the container's host pids", "[ps]") {
  Fixture fx;
  auto& b = fx.bundle("ps").script(kThreeSleepers);
  int pid = fx.run_detached(b);
  auto cg = ProcessCgroup(pid).dir("pids");
  wait_three_sleepers(b, cg);
  auto in_cgroup = tasks(cg);

  Result table = fx.agentrt({"ps", b.id()});
  INFO(table.all());
  REQUIRE(table.code == 0);
  auto first_line = table.out.substr(0, table.out.find('\n'));
  CHECK(contains(first_line, "PID"));
  CHECK(contains(first_line, "CMD"));
  for (const char* cmd : {"sleep 1001", "sleep 1002", "sleep 1003"}) CHECK(contains(table.out, cmd));
  CHECK(contains(table.out, " " + std::to_string(pid) + " "));
  CHECK_FALSE(contains(table.out, "agentrt"));

  Result js = fx.agentrt({"ps", "-f", "json", b.id()});
  INFO(js.all());
  REQUIRE(js.code == 0);
  auto pids = json::parse(js.out).get<std::vector<int>>();
  std::sort(pids.begin(), pids.end());
  std::sort(in_cgroup.begin(), in_cgroup.end());
  CHECK(pids == in_cgroup);
  CHECK(std::find(pids.begin(), pids.end(), pid) != pids.end());
}

TEST_CASE("kill --all KILL kills every process of the container", "[kill]") {
  Fixture fx;
  auto& b = fx.bundle("killall").script(kThreeSleepers);
  // Without a pid namespace killing the init alone would leave the sleepers running.
  auto& ns = b.config()["linux"]["namespaces"];
  ns.erase(std::remove_if(ns.begin(), ns.end(), [](const json& n) { return n["type"] == "pid"; }), ns.end());
  int pid = fx.run_detached(b);
  auto cg = ProcessCgroup(pid).dir("pids");
  wait_three_sleepers(b, cg);
  auto before = tasks(cg);

  Result k = fx.agentrt({"kill", "--all", b.id(), "KILL"});
  INFO(k.all());
  REQUIRE(k.code == 0);
  CHECK(eventually([&] { return tasks(cg).empty(); }, 10));
  for (int p : before) CHECK_FALSE(alive(p));
  CHECK(fx.wait_status(b.id(), "stopped"));
}

TEST_CASE("ps passes ps options through and fails when ps fails", "[ps]") {
  Fixture fx;
  auto& b = fx.bundle("psopts").script(kThreeSleepers);
  int pid = fx.run_detached(b);
  wait_three_sleepers(b, ProcessCgroup(pid).dir("pids"));

  Result custom = fx.agentrt({"ps", b.id(), "-o", "pid,comm"});
  INFO(custom.all());
  REQUIRE(custom.code == 0);
  std::istringstream lines(custom.out);
  std::string header;
  std::getline(lines, header);
  CHECK(contains(header, "PID"));
  CHECK(contains(header, "COMMAND"));
  std::vector<int> rows;
  for (std::string line; std::getline(lines, line);) rows.push_back(std::stoi(line));
  std::sort(rows.begin(), rows.end());
  auto in_cgroup = tasks(ProcessCgroup(pid).dir("pids"));
  std::sort(in_cgroup.begin(), in_cgroup.end());
  CHECK(rows == in_cgroup);

  // runc reports ps's failure with a non-zero exit.
  Result bad = fx.agentrt({"ps", b.id(), "--bogus-ps-option"});
  INFO(bad.all());
  CHECK(bad.code != 0);
  CHECK(contains(bad.err, "ps"));
}
