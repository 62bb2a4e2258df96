// agentrt update: runc's flags and -r change the live cgroup limits; bad values and dead containers fail.
#include <catch2/catch.hpp>
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

}  // namespace

TEST_CASE("update with runc's flags changes the live limits", "[update]") {
  Fixture fx;
  auto& b = fx.bundle("upd").script(kSleeper);
  int pid = fx.run_detached(b);
  auto cg = cgroup_dirs(pid);

  Result r =
      fx.agentrt({"update", "--memory", "64m", "--memory-swap", "128m", "--cpu-shares", "512", "--cpu-quota",
                  "30000", "--cpu-period", "150000", "--cpuset-cpus", "0", "--pids-limit", "20", b.id()});
  INFO(r.all());
  REQUIRE(r.code == 0);
  CHECK(read_number(cg["memory"] / "memory.limit_in_bytes") == 64LL << 20);
  if (stdfs::exists(cg["memory"] / "memory.memsw.limit_in_bytes")) {
    CHECK(read_number(cg["memory"] / "memory.memsw.limit_in_bytes") == 128LL << 20);
  }
  CHECK(read_number(cg["cpu"] / "cpu.shares") == 512);
  CHECK(read_number(cg["cpu"] / "cpu.cfs_quota_us") == 30000);
  CHECK(read_number(cg["cpu"] / "cpu.cfs_period_us") == 150000);
  CHECK(trim(read_text(cg["cpuset"] / "cpuset.cpus")) == "0");
  CHECK(read_number(cg["pids"] / "pids.max") == 20);

  SECTION("blkio weight") {
    stdfs::path weight;
    for (const char* f : {"blkio.weight", "blkio.bfq.weight"}) {
      if (stdfs::exists(cg["blkio"] / f)) weight = cg["blkio"] / f;
    }
    if (weight.empty()) {
      WARN("no blkio weight file on this kernel");
      return;
    }
    Result w = fx.agentrt({"update", "--blkio-weight", "333", b.id()});
    INFO(w.all());
    REQUIRE(w.code == 0);
    CHECK(last_number(weight) == 333);
  }
  SECTION("-r resources.json") {
    auto file = b.dir() / "resources.json";
    write_text(file,
               R"({"memory":{"limit":50331648,"swap":100663296},"cpu":{"shares":256},"pids":{"limit":31}})");
    Result w = fx.agentrt({"update", "-r", file.string(), b.id()});
    INFO(w.all());
    REQUIRE(w.code == 0);
    CHECK(read_number(cg["memory"] / "memory.limit_in_bytes") == 48LL << 20);
    CHECK(read_number(cg["cpu"] / "cpu.shares") == 256);
    CHECK(read_number(cg["pids"] / "pids.max") == 31);
  }
  SECTION("-r - reads the resources from stdin") {
    Result w =
        fx.agentrt({"update", "-r", "-", b.id()}, 30, R"({"pids":{"limit":17},"cpu":{"quota":25000}})");
    INFO(w.all());
    REQUIRE(w.code == 0);
    CHECK(read_number(cg["pids"] / "pids.max") == 17);
    CHECK(read_number(cg["cpu"] / "cpu.cfs_quota_us") == 25000);
  }
  SECTION("a memory limit under the usage fails and names the file") {
    Result w = fx.agentrt({"update", "--memory", "1k", b.id()});
    CHECK(w.code != 0);
    CHECK(contains(w.all(), "memory.limit_in_bytes"));
    CHECK(read_number(cg["memory"] / "memory.limit_in_bytes") == 64LL << 20);
  }
  SECTION("a cpuset with no such cpu fails and names the file") {
    Result w = fx.agentrt({"update", "--cpuset-cpus", "99", b.id()});
    CHECK(w.code != 0);
    CHECK(contains(w.all(), "cpuset.cpus"));
    CHECK(trim(read_text(cg["cpuset"] / "cpuset.cpus")) == "0");
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
  auto shares = cgroup_dirs(pid)["cpu"] / "cpu.shares";
  // runc 1.1.5 names the flag --cpu-share (singular); scripts written for runc use it.
  Result r = fx.agentrt({"update", "--cpu-share", "640", b.id()});
  INFO(r.all());
  CHECK(r.code == 0);
  CHECK(read_number(shares) == 640);
}

TEST_CASE("update rejects cpu shares the kernel clamps, like runc", "[update]") {
  Fixture fx;
  auto& b = fx.bundle("upd-clamp").script(kSleeper);
  int pid = fx.run_detached(b);
  auto shares = cgroup_dirs(pid)["cpu"] / "cpu.shares";
  // The kernel silently stores 2 for 1; runc reads the value back and fails ("the minimum allowed cpu-shares
  // is 2").
  Result r = fx.agentrt({"update", "--cpu-shares", "1", b.id()});
  INFO(r.all() << "cpu.shares now " << read_number(shares));
  CHECK(r.code != 0);
  CHECK(contains(r.err, "cpu-shares"));
}
