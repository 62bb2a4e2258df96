// agentrt events: a one-shot stats object with real numbers, and an oom event in the stream.
#include <catch2/catch.hpp>
#include <sstream>

#include "integration/cgroup_cli/support.hpp"

using namespace cgroup_cli_test;

TEST_CASE("events --stats prints one stats object with real numbers", "[events]") {
  Fixture fx;
  auto& b = fx.bundle("stats").script(
      "i=0; while [ $i -lt 30000 ]; do i=$((i+1)); done; touch /ctl/ready; while true; do sleep 1; done");
  int pid = fx.run_detached(b);
  REQUIRE(eventually([&] { return stdfs::exists(b.ctl() / "ready"); }, 20));

  Result r = fx.agentrt({"events", "--stats", b.id()});
  INFO(r.all());
  REQUIRE(r.code == 0);
  std::istringstream lines(trim(r.out));
  std::string first, extra;
  std::getline(lines, first);
  CHECK_FALSE(std::getline(lines, extra));
  json ev = json::parse(first);
  CHECK(ev.at("type") == "stats");
  CHECK(ev.at("id") == b.id());
  const json& d = ev.at("data");
  CHECK(d.at("memory").at("usage").at("usage").get<long long>() > 0);
  CHECK(d.at("pids").at("current").get<long long>() >= 1);
  // Compare with the cgroup files themselves: 30000 shell iterations take well over a millisecond.
  long long cpu_total = d.at("cpu").at("usage").at("total").get<long long>();
  CHECK(cpu_total > 1000000);
  ProcessCgroup cg(pid);
  CHECK(cpu_total <= cg.cpu_usage_ns());
  CHECK(d.at("pids").at("current").get<long long>() == read_cgroup_number(cg.dir("pids") / "pids.current"));
}

TEST_CASE("events reports an oom kill and exits when the container stops", "[events]") {
  Fixture fx;
  auto& b = fx.bundle("oom").script(
      "while [ ! -e /ctl/go ]; do sleep 0.05; done; x=$(head -c 64000000 /dev/zero | tr '\\0' a); echo "
      "survived");
  b.resources()["memory"] = {{"limit", 16 << 20}, {"swap", 16 << 20}};
  int pid = fx.run_detached(b);
  CHECK(ProcessCgroup(pid).memory_limit() == 16 << 20);

  auto out = b.dir() / "events.out";
  Background events(fx.argv({"events", "--interval", "1s", b.id()}), out);
  // The first stats line shows the stream is set up (its oom listener is registered before it prints).
  REQUIRE(eventually([&] { return contains(read_text(out), "\"stats\""); }, 10));
  write_text(b.ctl() / "go", "");

  auto code = events.wait(30);
  std::string text = read_text(out);
  INFO("events output:\n" << text << read_text(out.string() + ".err"));
  REQUIRE(code.has_value());
  CHECK(*code == 0);
  bool oom = false;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (trim(line).empty()) continue;
    json ev = json::parse(line);
    CHECK(ev.at("id") == b.id());
    if (ev.at("type") == "oom") oom = true;
  }
  CHECK(oom);
  CHECK(fx.status(b.id()) == "stopped");
}

TEST_CASE("events reports an oom kill of a child while the container keeps running", "[events]") {
  Fixture fx;
  auto& b = fx.bundle("oomchild")
                .script(
                    "while [ ! -e /ctl/go ]; do sleep 0.05; done; sh -c 'x=$(head -c 64000000 /dev/zero | tr "
                    "\"\\0\" a)'; "
                    "echo $? > /ctl/child.tmp; mv /ctl/child.tmp /ctl/child; while true; do sleep 1; done");
  // The exit status is written then renamed: the test waits for /ctl/child, which must never be half-written.
  b.resources()["memory"] = {{"limit", 16 << 20}, {"swap", 16 << 20}};
  int pid = fx.run_detached(b);
  ProcessCgroup cg(pid);

  auto out = b.dir() / "events.out";
  Background events(fx.argv({"events", "--interval", "1s", b.id()}), out);
  REQUIRE(eventually([&] { return contains(read_text(out), "\"stats\""); }, 10));
  write_text(b.ctl() / "go", "");
  bool reported = eventually([&] { return stdfs::exists(b.ctl() / "child"); }, 30);
  if (!reported) {
    Result ps = fx.agentrt({"ps", b.id()});
    FAIL("the child never reported; container " << fx.status(b.id()) << "\nps: " << ps.all() << "\n"
                                                << cg.describe_memory() << "events:\n"
                                                << read_text(out));
  }
  CHECK(trim(read_text(b.ctl() / "child")) == "137");  // the child shell died of SIGKILL
  CHECK(eventually([&] { return contains(read_text(out), "\"oom\""); }, 5));
  CHECK(cg.oom_kills() == 1);
  CHECK(fx.status(b.id()) == "running");
  CHECK_FALSE(events.wait(0.5).has_value());

  REQUIRE(fx.agentrt({"kill", b.id(), "KILL"}).code == 0);
  auto code = events.wait(15);
  INFO("events output:\n" << read_text(out));
  CHECK(code == std::optional<int>(0));
}
