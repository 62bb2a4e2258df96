// linux.resources: device rules, memory, cpu, pids, blockIO, hugepages, network, rdma, unified.
#include <catch2/catch.hpp>

#include "full_config.hpp"
#include "helpers.hpp"

using namespace agentrt::oci;
using namespace agentrt::oci::test;
using nlohmann::json;

namespace {

Resources full_resources() {
  return *parse_spec(json::parse(kFullConfig)).linux->resources;
}

std::string resources_error(json resources) {
  return spec_error(set(minimal(), "/linux/resources", std::move(resources)));
}

}  // namespace

TEST_CASE("device cgroup rules", "[parse][resources]") {
  const Resources r = full_resources();
  REQUIRE(r.devices.size() == 3);
  CHECK_FALSE(r.devices[0].allow);
  CHECK(r.devices[0].type == "a");
  CHECK_FALSE(r.devices[0].major);
  CHECK_FALSE(r.devices[0].minor);
  CHECK(r.devices[0].access == "rwm");
  CHECK(r.devices[1].allow);
  CHECK(r.devices[1].type == "c");
  CHECK(r.devices[1].major == 10);
  CHECK(r.devices[1].minor == 229);
  CHECK(r.devices[1].access == "rw");
  CHECK(r.devices[2].type == "b");
  CHECK_FALSE(r.devices[2].major);  // -1 is runc's wildcard
  CHECK(r.devices[2].minor == 5);
  CHECK(r.devices[2].access == "m");
}

TEST_CASE("memory, cpu and pids", "[parse][resources]") {
  const Resources r = full_resources();
  REQUIRE(r.memory);
  CHECK(r.memory->limit == 536870912);
  CHECK(r.memory->reservation == 268435456);
  CHECK(r.memory->swap == -1);
  CHECK(r.memory->kernel == 1024);
  CHECK(r.memory->kernel_tcp == 2048);
  CHECK(r.memory->swappiness == 60u);
  CHECK(r.memory->disable_oom_killer == true);
  CHECK(r.memory->use_hierarchy == false);
  CHECK(r.memory->check_before_update == true);
  REQUIRE(r.cpu);
  CHECK(r.cpu->shares == 512u);
  CHECK(r.cpu->quota == 50000);
  CHECK(r.cpu->burst == 1000u);
  CHECK(r.cpu->period == 100000u);
  CHECK(r.cpu->realtime_runtime == 950);
  CHECK(r.cpu->realtime_period == 1000000u);
  CHECK(r.cpu->cpus == "0-1");
  CHECK(r.cpu->mems == "0");
  CHECK(r.cpu->idle == 1);
  REQUIRE(r.pids);
  CHECK(r.pids->limit == 256);
}

TEST_CASE("blockIO", "[parse][resources]") {
  const Resources r = full_resources();
  REQUIRE(r.block_io);
  const BlockIoResources& b = *r.block_io;
  CHECK(b.weight == 500);
  CHECK(b.leaf_weight == 300);
  REQUIRE(b.weight_device.size() == 2);
  CHECK(b.weight_device[0].major == 8);
  CHECK(b.weight_device[0].minor == 0);
  CHECK(b.weight_device[0].weight == 700);
  CHECK(b.weight_device[0].leaf_weight == 100);
  CHECK(b.weight_device[1].minor == 16);
  CHECK_FALSE(b.weight_device[1].weight);
  REQUIRE(b.throttle_read_bps_device.size() == 1);
  CHECK(b.throttle_read_bps_device[0].rate == 1048576);
  REQUIRE(b.throttle_write_bps_device.size() == 1);
  CHECK(b.throttle_write_bps_device[0].minor == 1);
  CHECK(b.throttle_write_bps_device[0].rate == 2097152);
  REQUIRE(b.throttle_read_iops_device.size() == 1);
  CHECK(b.throttle_read_iops_device[0].minor == 2);
  CHECK(b.throttle_read_iops_device[0].rate == 100);
  REQUIRE(b.throttle_write_iops_device.size() == 1);
  CHECK(b.throttle_write_iops_device[0].minor == 3);
  CHECK(b.throttle_write_iops_device[0].rate == 200);
}

TEST_CASE("hugepages, network, rdma, unified", "[parse][resources]") {
  const Resources r = full_resources();
  REQUIRE(r.hugepage_limits.size() == 2);
  CHECK(r.hugepage_limits[0].page_size == "2MB");
  CHECK(r.hugepage_limits[0].limit == 209715200);
  CHECK(r.hugepage_limits[1].page_size == "1GB");
  REQUIRE(r.network);
  CHECK(r.network->class_id == 1048577u);
  REQUIRE(r.network->priorities.size() == 2);
  CHECK(r.network->priorities[0].name == "eth0");
  CHECK(r.network->priorities[0].priority == 500);
  CHECK(r.network->priorities[1].name == "lo");
  REQUIRE(r.rdma.size() == 2);
  CHECK(r.rdma.at("mlx5_1").hca_handles == 3u);
  CHECK(r.rdma.at("mlx5_1").hca_objects == 10000u);
  CHECK_FALSE(r.rdma.at("mlx4_0").hca_handles);
  CHECK(r.rdma.at("mlx4_0").hca_objects == 7u);
  CHECK(r.unified ==
        std::map<std::string, std::string>{{"memory.high", "1073741824"}, {"io.weight", "default 100"}});
}

TEST_CASE("empty resources", "[parse][resources]") {
  Resources r = parse_resources(json::object());
  CHECK(r.devices.empty());
  CHECK_FALSE(r.memory);
  CHECK_FALSE(r.cpu);
  CHECK_FALSE(r.pids);
  CHECK_FALSE(r.block_io);
  CHECK_FALSE(r.network);
  CHECK(r.rdma.empty());
  CHECK(r.unified.empty());
}

TEST_CASE("resource errors", "[parse][resources]") {
  CHECK(resources_error({{"memory", {{"limit", "1G"}}}}) ==
        "linux.resources.memory.limit: expected integer, got string");
  CHECK(resources_error({{"memory", {{"swappiness", 101}}}}) ==
        "linux.resources.memory.swappiness: expected integer in range [0, 100], got 101");
  CHECK(resources_error({{"memory", {{"disableOOMKiller", 1}}}}) ==
        "linux.resources.memory.disableOOMKiller: expected boolean, got number");
  CHECK(resources_error({{"cpu", {{"shares", -2}}}}) ==
        "linux.resources.cpu.shares: expected non-negative integer, got -2");
  CHECK(resources_error({{"cpu", {{"cpus", 0}}}}) == "linux.resources.cpu.cpus: expected string, got number");
  CHECK(resources_error({{"pids", json::object()}}) == "linux.resources.pids.limit: required");
  CHECK(resources_error({{"blockIO", {{"weight", 65536}}}}) ==
        "linux.resources.blockIO.weight: expected integer in range [0, 65535], got 65536");
  CHECK(resources_error({{"blockIO", {{"throttleReadBpsDevice", {{{"major", 8}, {"minor", 0}}}}}}}) ==
        "linux.resources.blockIO.throttleReadBpsDevice[0].rate: required");
  CHECK(resources_error({{"blockIO", {{"weightDevice", {{{"minor", 0}}}}}}}) ==
        "linux.resources.blockIO.weightDevice[0].major: required");
  CHECK(resources_error({{"hugepageLimits", {{{"limit", 1}}}}}) ==
        "linux.resources.hugepageLimits[0].pageSize: required");
  CHECK(resources_error({{"network", {{"priorities", {{{"name", "eth0"}}}}}}}) ==
        "linux.resources.network.priorities[0].priority: required");
  CHECK(resources_error({{"rdma", {{"mlx", {{"hcaHandles", -1}}}}}}) ==
        "linux.resources.rdma.mlx.hcaHandles: expected non-negative integer, got -1");
  CHECK(resources_error({{"unified", {{"memory.max", 5}}}}) ==
        "linux.resources.unified.memory.max: expected string, got number");
  CHECK(resources_error({{"memory", json::array()}}) == "linux.resources.memory: expected object, got array");
}

TEST_CASE("device rule errors", "[parse][resources]") {
  auto rule_error = [](json rule) { return resources_error({{"devices", json::array({rule})}}); };
  CHECK(rule_error({{"access", "rwm"}}) == "linux.resources.devices[0].allow: required");
  CHECK(rule_error({{"allow", true}, {"type", "p"}}) ==
        "linux.resources.devices[0].type: unknown device type \"p\", expected one of a, c, b");
  CHECK(rule_error({{"allow", true}, {"access", "rwx"}}) ==
        "linux.resources.devices[0].access: invalid access \"rwx\", expected a combination of r, w, m");
  CHECK(rule_error({{"allow", true}, {"access", ""}}) ==
        "linux.resources.devices[0].access: invalid access \"\", expected a combination of r, w, m");
  CHECK(rule_error({{"allow", true}, {"major", -2}}) ==
        "linux.resources.devices[0].major: expected non-negative integer or -1, got -2");
}

TEST_CASE("parse_resources uses the given path prefix (update -r)", "[parse][resources]") {
  json r = {{"memory", {{"limit", 1048576}}}, {"pids", {{"limit", 10}}}};
  Resources parsed = parse_resources(r, "");
  CHECK(parsed.memory->limit == 1048576);
  CHECK(parsed.pids->limit == 10);
  CHECK_THROWS_WITH(parse_resources({{"pids", {{"limit", "x"}}}}, ""),
                    "pids.limit: expected integer, got string");
  CHECK_THROWS_AS(parse_resources({{"pids", {{"limit", "x"}}}}), SpecError);
}
