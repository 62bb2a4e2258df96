// agentrt update: runc's flags and -r change the live cgroup limits; bad values and dead containers fail.
#include <catch2/catch.hpp>
#include <map>
#include <sstream>

#include "integration/cgroup_cli/support.hpp"

using namespace cgroup_cli_test;

namespace {

const char* kSleeper = "touch /ctl/ready; while true; do sleep 1; done";

long long last_number(const stdfs::path& p) {
  std::istringstream in(read_text(p));
  std::string word, last;
  while (in >> word) last = word;
  INFO(p << " holds '" << last << "'");
  REQUIRE(!last.empty());
  return std::stoll(last);
}

// cpu shares as the kernel shows them: v1's cpu.shares, or v2's cpu.weight.
long long cpu_shares_shown(const ProcessCgroup& cg) {
  return read_cgroup_number(cg.dir("cpu") / (cg.v2() ? "cpu.weight" : "cpu.shares"));
}

// What cpu_shares_shown reads after setting shares: v1 keeps them, v2 takes crun's mapping to a weight
// (the values of tests/unit/cgroups/convert_test.cpp).
long long expected_cpu_shares(const ProcessCgroup& cg, long long shares) {
  if (!cg.v2()) return shares;
  static const std::map<long long, long long> weight = {{256, 35}, {512, 59}, {640, 70}};
  REQUIRE(weight.count(shares) == 1);
  return weight.at(shares);
}

}  // namespace

TEST_CASE("update with runc's flags changes the live limits", "[update]") {
  Fixture fx;
  auto& b = fx.bundle("upd").script(kSleeper);
  int pid = fx.run_detached(b);
  ProcessCgroup cg(pid);

  Result r =
      fx.agentrt({"update", "--memory", "64m", "--memory-swap", "128m", "--cpu-shares", "512", "--cpu-quota",
                  "30000", "--cpu-period", "150000", "--cpuset-cpus", "0", "--pids-limit", "20", b.id()});
  INFO(r.all());
  REQUIRE(r.code == 0);
  CHECK(cg.memory_limit() == 64LL << 20);
  // --memory-swap is memory plus swap; v1 keeps that sum, v2's memory.swap.max the swap alone.
  auto memsw = cg.dir("memory") / (cg.v2() ? "memory.swap.max" : "memory.memsw.limit_in_bytes");
  if (stdfs::exists(memsw)) {
    CHECK(read_cgroup_number(memsw) == (cg.v2() ? 64LL << 20 : 128LL << 20));
  } else {
    WARN("not run: no " << memsw.filename() << " (swap accounting is off on this kernel)");
  }
  CHECK(cpu_shares_shown(cg) == expected_cpu_shares(cg, 512));
  CHECK(cg.cpu_quota() == 30000);
  CHECK(cg.cpu_period() == 150000);
  CHECK(trim(read_text(cg.dir("cpuset") / "cpuset.cpus")) == "0");
  CHECK(read_cgroup_number(cg.dir("pids") / "pids.max") == 20);

  SECTION("blkio weight") {
    // v1: blkio's files; v2: io.bfq.weight on blkio's 1..1000 scale, else iocost's io.weight (1..10000).
    stdfs::path weight;
    long long expected = 333;
    auto io = cg.dir("blkio");
    if (!cg.v2()) {
      for (const char* f : {"blkio.weight", "blkio.bfq.weight"})
        if (stdfs::exists(io / f)) weight = io / f;
    } else if (stdfs::exists(io / "io.bfq.weight")) {
      weight = io / "io.bfq.weight";
    } else if (stdfs::exists(io / "io.weight")) {
      weight = io / "io.weight";
      expected = 1 + (333 - 10) * 9999 / 990;
    }
    if (weight.empty()) {
      WARN("not run: no block io weight file on this kernel");
      return;
    }
    Result w = fx.agentrt({"update", "--blkio-weight", "333", b.id()});
    INFO(w.all());
    REQUIRE(w.code == 0);
    CHECK(last_number(weight) == expected);
  }
  SECTION("-r resources.json") {
    auto file = b.dir() / "resources.json";
    write_text(file,
               R"({"memory":{"limit":50331648,"swap":100663296},"cpu":{"shares":256},"pids":{"limit":31}})");
    Result w = fx.agentrt({"update", "-r", file.string(), b.id()});
    INFO(w.all());
    REQUIRE(w.code == 0);
    CHECK(cg.memory_limit() == 48LL << 20);
    CHECK(cpu_shares_shown(cg) == expected_cpu_shares(cg, 256));
    CHECK(read_cgroup_number(cg.dir("pids") / "pids.max") == 31);
  }
  SECTION("-r - reads the resources from stdin") {
    Result w =
        fx.agentrt({"update", "-r", "-", b.id()}, 30, R"({"pids":{"limit":17},"cpu":{"quota":25000}})");
    INFO(w.all());
    REQUIRE(w.code == 0);
    CHECK(read_cgroup_number(cg.dir("pids") / "pids.max") == 17);
    CHECK(cg.cpu_quota() == 25000);
  }
  SECTION("a memory limit under the usage: v1 refuses it and the error names the file; v2 reclaims") {
    Result w = fx.agentrt({"update", "--memory", "1k", b.id()});
    INFO(w.all());
    if (!cg.v2()) {
      CHECK(w.code != 0);
      CHECK(contains(w.all(), "memory.limit_in_bytes"));
      CHECK(cg.memory_limit() == 64LL << 20);
    } else {
      // cgroup v2 takes any memory.max (rounded down to pages) and reclaims, OOM-killing what does not fit:
      // the kernel's semantics, passed on as v1's refusal is.
      CHECK(w.code == 0);
      CHECK(cg.memory_limit() == 0);
      CHECK(fx.wait_status(b.id(), "stopped"));
      CHECK(cg.oom_kills() >= 1);
    }
  }
  SECTION("a cpuset with no such cpu fails and names the file") {
    Result w = fx.agentrt({"update", "--cpuset-cpus", "99", b.id()});
    CHECK(w.code != 0);
    CHECK(contains(w.all(), "cpuset.cpus"));
    CHECK(trim(read_text(cg.dir("cpuset") / "cpuset.cpus")) == "0");
  }
}

TEST_CASE("update of a stopped or unknown container fails", "[update]") {
  Fixture fx;
  auto& b = fx.bundle("upd-stopped").script("exit 0");
  b.save();
  REQUIRE(fx.agentrt({"create", "--bundle", b.dir().string(), b.id()}).code == 0);
  REQUIRE(fx.agentrt({"start", b.id()}).code == 0);
  REQUIRE(fx.wait_status(b.id(), "stopped"));
  Result stopped = fx.agentrt({"update", "--pids-limit", "20", b.id()});
  INFO(stopped.all());
  CHECK(stopped.code != 0);
  CHECK(contains(stopped.err, "not running"));

  Result unknown = fx.agentrt({"update", "--pids-limit", "20", "cc-no-such-container"});
  INFO(unknown.all());
  CHECK(unknown.code != 0);
  CHECK(contains(unknown.err, "does not exist"));
}

TEST_CASE("update accepts runc's --cpu-share spelling", "[update]") {
  Fixture fx;
  auto& b = fx.bundle("upd-share").script(kSleeper);
  int pid = fx.run_detached(b);
  ProcessCgroup cg(pid);
  // runc 1.1.5 names the flag --cpu-share (singular); scripts written for runc use it.
  Result r = fx.agentrt({"update", "--cpu-share", "640", b.id()});
  INFO(r.all());
  CHECK(r.code == 0);
  CHECK(cpu_shares_shown(cg) == expected_cpu_shares(cg, 640));
}

TEST_CASE("update rejects cpu shares the kernel clamps, like runc", "[update]") {
  Fixture fx;
  auto& b = fx.bundle("upd-clamp").script(kSleeper);
  int pid = fx.run_detached(b);
  ProcessCgroup cg(pid);
  // The kernel silently stores 2 for 1; runc reads the value back and fails ("the minimum allowed cpu-shares
  // is 2").
  Result r = fx.agentrt({"update", "--cpu-shares", "1", b.id()});
  INFO(r.all() << "cpu shares shown now " << cpu_shares_shown(cg));
  CHECK(r.code != 0);
  CHECK(contains(r.err, "cpu-shares"));
}
