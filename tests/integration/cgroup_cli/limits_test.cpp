// Limits from the spec (and the agent policy) take effect: pids, cpu quota and device rules.
#include <catch2/catch.hpp>
#include <chrono>
#include <sstream>
#include <thread>

#include "integration/cgroup_cli/support.hpp"

using namespace cgroup_cli_test;

namespace {

// CPU nanoseconds a busy-looping container uses in 2 s of wall time.
long long busy_cpu_ns(Fixture& fx, const json& cpu) {
  auto& b = fx.bundle("cpu").script("while true; do :; done");
  if (!cpu.is_null()) b.resources()["cpu"] = cpu;
  int pid = fx.run_detached(b);
  ProcessCgroup cg(pid);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  long long before = cg.cpu_usage_ns();
  std::this_thread::sleep_for(std::chrono::seconds(2));
  long long used = cg.cpu_usage_ns() - before;
  if (!cpu.is_null()) CHECK(keyed_number(cg.dir("cpu") / "cpu.stat", "nr_throttled").value_or(0) > 0);
  REQUIRE(fx.agentrt({"delete", "-f", b.id()}).code == 0);
  return used;
}

}  // namespace

TEST_CASE("a pids limit stops a fork bomb", "[limits]") {
  Fixture fx;
  // The bomb runs in a child shell, which dies on its first failed fork; the init then needs no more forks.
  auto& b = fx.bundle("forkbomb")
                .script(
                    "sh -c 'for i in $(seq 1 30); do sleep 1000 & done' 2>/ctl/err; : > /ctl/ready; exec "
                    "sleep 1000");
  b.resources()["pids"] = {{"limit", 10}};
  int pid = fx.run_detached(b);
  REQUIRE(eventually([&] { return stdfs::exists(b.ctl() / "ready"); }, 15));
  auto cg = ProcessCgroup(pid).dir("pids");
  CHECK(read_cgroup_number(cg / "pids.max") == 10);
  CHECK(read_cgroup_number(cg / "pids.current") <= 10);
  CHECK(keyed_number(cg / "pids.events", "max").value_or(0) > 0);
  std::string err = read_text(b.ctl() / "err");
  INFO("stderr of the loop: " << err);
  CHECK((contains(err, "can't fork") || contains(err, "Resource temporarily unavailable")));
}

TEST_CASE("the default agent profile sets pids.max 4096 when the spec sets none", "[limits]") {
  Fixture fx;
  auto& b = fx.bundle("profile").script("while true; do sleep 1; done");
  int pid = fx.run_detached(b, "");
  CHECK(read_cgroup_number(ProcessCgroup(pid).dir("pids") / "pids.max") == 4096);

  auto& off = fx.bundle("profile-off").script("while true; do sleep 1; done");
  int off_pid = fx.run_detached(off);
  CHECK(read_cgroup_number(ProcessCgroup(off_pid).dir("pids") / "pids.max") == -1);
}

TEST_CASE("a cpu quota limits the cpu a busy loop gets", "[limits]") {
  Fixture fx;
  long long limited = busy_cpu_ns(fx, {{"quota", 20000}, {"period", 100000}});
  long long free = busy_cpu_ns(fx, json());
  INFO("limited " << limited << " ns, unlimited " << free << " ns");
  // 20% of one cpu for 2 s is 0.4 s; leave room for scheduling slop.
  CHECK(limited < 600000000LL);
  CHECK(limited > 100000000LL);
  // The unlimited loop competes with the rest of the (shared, loaded) machine, so compare rather than expect
  // a full 2 s; cpu.stat's nr_throttled above shows the quota at work.
  CHECK(free > limited * 3 / 2);
}

TEST_CASE("device rules deny an unlisted block device but allow /dev/null", "[limits]") {
  Fixture fx;
  auto& b = fx.bundle("devices").script(
      "mknod /dev/sdx b 8 0; echo mknod=$?; head -c 1 /dev/sdx > /dev/null; echo open=$?; "
      "echo hi > /dev/null; echo null=$?");
  for (const char* set : {"bounding", "effective", "permitted"})
    b.config()["process"]["capabilities"][set].push_back("CAP_MKNOD");
  b.resources()["devices"] = {
      {{"allow", false}, {"access", "rwm"}},
      {{"allow", true}, {"type", "c"}, {"major", 1}, {"minor", 3}, {"access", "rwm"}}};
  b.save();
  Result r = fx.agentrt({"run", "--bundle", b.dir().string(), b.id()});
  INFO(r.all());
  REQUIRE(r.code == 0);
  CHECK(contains(r.out, "null=0"));
  CHECK(contains(r.err, "Operation not permitted"));
  // Either the node cannot be made or, if made, it cannot be opened.
  CHECK_FALSE(contains(r.out, "open=0"));
}
