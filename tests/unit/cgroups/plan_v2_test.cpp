#include <catch2/catch.hpp>

#include "oci/support/error.hpp"
#include "plan_helpers.hpp"

using namespace agentrt::cgroups;
using agentrt::oci::Resources;
using V = std::vector<std::string>;

TEST_CASE("v2 empty resources write nothing") {
  auto p = plan_v2(Resources{});
  CHECK(p.writes.empty());
  CHECK(p.device_rules.empty());
}

TEST_CASE("v2 memory") {
  Resources r;
  r.memory.emplace();
  SECTION("limit, swap (minus limit, first), reservation") {
    r.memory->limit = 100;
    r.memory->swap = 300;
    r.memory->reservation = 50;
    CHECK(summary(plan_v2(r)) ==
          V{"memory/memory.swap.max=200", "memory/memory.max=100", "memory/memory.low=50"});
  }
  SECTION("swap equal to limit disables swap") {
    r.memory->limit = 100;
    r.memory->swap = 100;
    CHECK(summary(plan_v2(r)) == V{"memory/memory.swap.max=0", "memory/memory.max=100"});
  }
  SECTION("unlimited") {
    r.memory->limit = -1;
    r.memory->swap = -1;
    auto p = plan_v2(r);
    CHECK(summary(p) == V{"memory/memory.swap.max=max", "memory/memory.max=max"});
    CHECK(p.writes[0].optional);  // lifting swap on a kernel without swap accounting is not an error
  }
  SECTION("swap without limit is an error") {
    r.memory->swap = 100;
    CHECK_THROWS_WITH(plan_v2(r), Catch::Contains("linux.resources.memory.swap"));
  }
  SECTION("v1-only knobs are warnings") {
    r.memory->swappiness = 10;
    r.memory->disable_oom_killer = true;
    r.memory->kernel = 5;
    r.memory->kernel_tcp = 5;
    auto p = plan_v2(r);
    CHECK(p.writes.empty());
    CHECK(p.warnings.size() == 4);
  }
}

TEST_CASE("v2 cpu") {
  Resources r;
  r.cpu.emplace();
  r.cpu->shares = 1024;
  r.cpu->quota = 50000;
  r.cpu->period = 100000;
  r.cpu->burst = 10000;
  r.cpu->idle = 0;
  r.cpu->cpus = "1";
  r.cpu->mems = "0";
  CHECK(summary(plan_v2(r)) == V{"cpu/cpu.weight=100", "cpu/cpu.max=50000 100000", "cpu/cpu.max.burst=10000",
                                 "cpu/cpu.idle=0", "cpuset/cpuset.cpus=1", "cpuset/cpuset.mems=0"});
  Resources q;
  q.cpu.emplace();
  q.cpu->period = 200000;
  CHECK(summary(plan_v2(q)) == V{"cpu/cpu.max=max 200000"});
  q.cpu->period.reset();
  q.cpu->quota = 20000;
  CHECK(summary(plan_v2(q)) == V{"cpu/cpu.max=20000"});
  q.cpu->quota = -1;
  CHECK(summary(plan_v2(q)) == V{"cpu/cpu.max=max"});
  q.cpu->realtime_runtime = 100;
  CHECK_THROWS_WITH(plan_v2(q), Catch::Contains("realtime"));
}

TEST_CASE("v2 pids and hugetlb and rdma") {
  Resources r;
  r.pids = agentrt::oci::PidsResources{-1};
  r.hugepage_limits.push_back({"1GB", 1 << 30});
  r.rdma["mlx5_1"] = agentrt::oci::RdmaLimit{3, std::nullopt};
  CHECK(summary(plan_v2(r)) ==
        V{"pids/pids.max=max", "hugetlb/hugetlb.1GB.max=1073741824", "rdma/rdma.max=mlx5_1 hca_handle=3"});
}

TEST_CASE("v2 io") {
  Resources r;
  r.block_io.emplace();
  auto& b = *r.block_io;
  b.weight = 1000;
  b.leaf_weight = 10;
  b.weight_device.push_back({8, 0, 10, std::nullopt});
  b.throttle_read_bps_device.push_back({8, 0, 1000});
  b.throttle_write_bps_device.push_back({8, 0, 0});
  b.throttle_read_iops_device.push_back({8, 0, 30});
  b.throttle_write_iops_device.push_back({8, 0, 40});
  auto p = plan_v2(r);
  CHECK(summary(p) == V{"io/io.bfq.weight=1000", "io/io.bfq.weight=8:0 10", "io/io.max=8:0 rbps=1000",
                        "io/io.max=8:0 wbps=max", "io/io.max=8:0 riops=30", "io/io.max=8:0 wiops=40"});
  CHECK(p.writes[0].fallback_file == "io.weight");
  CHECK(p.writes[0].fallback_value == "10000");
  CHECK(p.writes[1].fallback_value == "8:0 1");
  CHECK(p.warnings.size() == 1);
}

TEST_CASE("v2 network is an error") {
  Resources r;
  r.network = agentrt::oci::NetworkResources{1, {}};
  CHECK_THROWS_WITH(plan_v2(r), Catch::Contains("linux.resources.network"));
}

TEST_CASE("v2 unified map") {
  Resources r;
  r.unified["memory.high"] = "1000000";
  r.unified["cgroup.max.depth"] = "3";
  auto p = plan_v2(r);
  CHECK(summary(p) == V{"/cgroup.max.depth=3", "memory/memory.high=1000000"});
  CHECK(p.writes[1].resource == "linux.resources.unified.memory.high");
  Resources bad;
  bad.unified["../escape"] = "1";
  CHECK_THROWS_WITH(plan_v2(bad), Catch::Contains("invalid cgroup file name"));
  Resources nodot;
  nodot.unified["memoryhigh"] = "1";
  CHECK_THROWS(plan_v2(nodot));
}

TEST_CASE("v2 devices become program rules, validated") {
  Resources r;
  r.devices.push_back({false, "a", std::nullopt, std::nullopt, "rwm"});
  r.devices.push_back({true, "c", 1, 3, "rwm"});
  auto p = plan_v2(r);
  CHECK(p.writes.empty());
  CHECK(p.device_rules.size() == 2);
  r.devices.push_back({true, "c", 1, 3, "rwx"});
  CHECK_THROWS_WITH(plan_v2(r), Catch::Contains("devices[2].access"));
}
