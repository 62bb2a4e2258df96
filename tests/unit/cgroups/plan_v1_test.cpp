#include <catch2/catch.hpp>

#include "oci/support/error.hpp"
#include "plan_helpers.hpp"

using namespace agentrt::cgroups;
using agentrt::oci::Resources;
using V = std::vector<std::string>;

TEST_CASE("v1 empty resources write nothing") {
  CHECK(plan_v1(Resources{}).writes.empty());
}

TEST_CASE("v1 memory") {
  Resources r;
  r.memory.emplace();
  SECTION("limit, reservation, swappiness, oom killer") {
    r.memory->limit = 100 << 20;
    r.memory->reservation = 50 << 20;
    r.memory->swappiness = 10;
    r.memory->disable_oom_killer = true;
    auto p = plan_v1(r);
    CHECK(summary(p) == V{"memory/memory.limit_in_bytes=104857600",
                          "memory/memory.soft_limit_in_bytes=52428800", "memory/memory.swappiness=10",
                          "memory/memory.oom_control=1"});
    CHECK(write_for(p, "memory.limit_in_bytes").resource == "linux.resources.memory.limit");
    CHECK(write_for(p, "memory.oom_control").resource == "linux.resources.memory.disableOOMKiller");
  }
  SECTION("limit and swap are an order-sensitive pair") {
    r.memory->limit = 100;
    r.memory->swap = 300;
    auto p = plan_v1(r);
    CHECK(summary(p) == V{"memory/memory.limit_in_bytes=100", "memory/memory.memsw.limit_in_bytes=300"});
    CHECK(p.writes[0].retry_after_next);
    CHECK_FALSE(p.writes[1].retry_after_next);
  }
  SECTION("unlimited swap goes first") {
    r.memory->limit = 100;
    r.memory->swap = -1;
    CHECK(summary(plan_v1(r)) ==
          V{"memory/memory.memsw.limit_in_bytes=-1", "memory/memory.limit_in_bytes=100"});
  }
  SECTION("limit -1 with swap unset lifts both") {
    r.memory->limit = -1;
    CHECK(summary(plan_v1(r)) ==
          V{"memory/memory.memsw.limit_in_bytes=-1", "memory/memory.limit_in_bytes=-1"});
  }
  SECTION("swap alone") {
    r.memory->swap = 500;
    CHECK(summary(plan_v1(r)) == V{"memory/memory.memsw.limit_in_bytes=500"});
  }
  SECTION("kernel limits are ignored with warnings") {
    r.memory->kernel = 1000;
    r.memory->kernel_tcp = 1000;
    auto p = plan_v1(r);
    CHECK(p.writes.empty());
    REQUIRE(p.warnings.size() == 2);
    CHECK_THAT(p.warnings[0], Catch::Contains("memory.kernel"));
    CHECK_THAT(p.warnings[1], Catch::Contains("memory.kernelTCP"));
  }
  SECTION("bad swappiness") {
    r.memory->swappiness = 101;
    CHECK_THROWS_WITH(plan_v1(r), Catch::Contains("linux.resources.memory.swappiness"));
  }
  SECTION("disableOOMKiller false writes nothing") {
    r.memory->disable_oom_killer = false;
    CHECK(plan_v1(r).writes.empty());
  }
}

TEST_CASE("v1 cpu") {
  Resources r;
  r.cpu.emplace();
  r.cpu->shares = 512;
  r.cpu->period = 100000;
  r.cpu->quota = 50000;
  r.cpu->burst = 1000;
  r.cpu->realtime_period = 1000000;
  r.cpu->realtime_runtime = 950000;
  r.cpu->idle = 1;
  r.cpu->cpus = "0-1";
  r.cpu->mems = "0";
  auto p = plan_v1(r);
  CHECK(summary(p) == V{"cpu/cpu.shares=512", "cpu/cpu.cfs_period_us=100000", "cpu/cpu.cfs_quota_us=50000",
                        "cpu/cpu.cfs_burst_us=1000", "cpu/cpu.rt_period_us=1000000",
                        "cpu/cpu.rt_runtime_us=950000", "cpu/cpu.idle=1", "cpuset/cpuset.cpus=0-1",
                        "cpuset/cpuset.mems=0"});
  CHECK(write_for(p, "cpu.cfs_period_us").retry_after_next);
  CHECK(write_for(p, "cpuset.cpus").resource == "linux.resources.cpu.cpus");

  Resources q;
  q.cpu.emplace();
  q.cpu->quota = -1;
  CHECK(summary(plan_v1(q)) == V{"cpu/cpu.cfs_quota_us=-1"});
  q.cpu->quota = 0;
  q.cpu->shares = 0;
  CHECK(plan_v1(q).writes.empty());
}

TEST_CASE("v1 pids") {
  Resources r;
  r.pids = agentrt::oci::PidsResources{64};
  CHECK(summary(plan_v1(r)) == V{"pids/pids.max=64"});
  r.pids->limit = -1;
  CHECK(summary(plan_v1(r)) == V{"pids/pids.max=max"});
  r.pids->limit = 0;
  CHECK(plan_v1(r).writes.empty());
}

TEST_CASE("v1 blkio") {
  Resources r;
  r.block_io.emplace();
  auto& b = *r.block_io;
  b.weight = 500;
  b.leaf_weight = 300;
  b.weight_device.push_back({8, 0, 600, 700});
  b.throttle_read_bps_device.push_back({8, 0, 1000});
  b.throttle_write_bps_device.push_back({8, 16, 2000});
  b.throttle_read_iops_device.push_back({8, 0, 30});
  b.throttle_write_iops_device.push_back({8, 0, 40});
  auto p = plan_v1(r);
  CHECK(summary(p) ==
        V{"blkio/blkio.bfq.weight=500", "blkio/blkio.leaf_weight=300",
          "blkio/blkio.bfq.weight_device=8:0 600", "blkio/blkio.leaf_weight_device=8:0 700",
          "blkio/blkio.throttle.read_bps_device=8:0 1000", "blkio/blkio.throttle.write_bps_device=8:16 2000",
          "blkio/blkio.throttle.read_iops_device=8:0 30", "blkio/blkio.throttle.write_iops_device=8:0 40"});
  CHECK(write_for(p, "blkio.bfq.weight").fallback_file == "blkio.weight");
  CHECK(write_for(p, "blkio.bfq.weight").fallback_value == "500");
  CHECK(write_for(p, "blkio.bfq.weight_device").fallback_file == "blkio.weight_device");
  CHECK(write_for(p, "blkio.throttle.write_bps_device").resource ==
        "linux.resources.blockIO.throttleWriteBpsDevice[0]");
}

TEST_CASE("v1 hugetlb, network, rdma") {
  Resources r;
  r.hugepage_limits.push_back({"2MB", 4 << 20});
  r.network = agentrt::oci::NetworkResources{42, {{"eth0", 5}, {"lo", 1}}};
  r.rdma["mlx5_1"] = agentrt::oci::RdmaLimit{3, 1000};
  r.rdma["mlx4_0"] = agentrt::oci::RdmaLimit{std::nullopt, 10};
  auto p = plan_v1(r);
  CHECK(summary(p) == V{"hugetlb/hugetlb.2MB.limit_in_bytes=4194304", "net_cls/net_cls.classid=42",
                        "net_prio/net_prio.ifpriomap=eth0 5", "net_prio/net_prio.ifpriomap=lo 1",
                        "rdma/rdma.max=mlx4_0 hca_object=10",
                        "rdma/rdma.max=mlx5_1 hca_handle=3 hca_object=1000"});
  CHECK(write_for(p, "net_cls.classid").resource == "linux.resources.network.classID");
}

TEST_CASE("v1 rejects the unified map") {
  Resources r;
  r.unified["memory.high"] = "1000";
  CHECK_THROWS_WITH(plan_v1(r), Catch::Contains("linux.resources.unified") && Catch::Contains("cgroup v2"));
}

TEST_CASE("v1 devices: deny all, then the rules in order") {
  Resources r;
  r.devices.push_back({false, "a", std::nullopt, std::nullopt, "rwm"});
  r.devices.push_back({true, "c", 1, 3, "rwm"});
  r.devices.push_back({true, "c", 136, std::nullopt, "rw"});
  r.devices.push_back({false, "c", 1, 3, "w"});
  auto p = plan_v1(r);
  CHECK(summary(p) == V{"devices/devices.deny=a", "devices/devices.deny=a", "devices/devices.allow=c 1:3 rwm",
                        "devices/devices.allow=c 136:* rw", "devices/devices.deny=c 1:3 w"});
  CHECK(p.writes[2].resource == "linux.resources.devices[1]");
  r.devices.push_back({true, "x", 1, 1, "r"});
  CHECK_THROWS_WITH(plan_v1(r), Catch::Contains("devices[4].type"));
}

TEST_CASE("v1 derived memsw write is optional, an explicit one is not") {
  Resources r;
  r.memory.emplace();
  r.memory->limit = -1;
  CHECK(plan_v1(r).writes[0].optional);
  r.memory->swap = -1;
  CHECK_FALSE(plan_v1(r).writes[0].optional);
}
