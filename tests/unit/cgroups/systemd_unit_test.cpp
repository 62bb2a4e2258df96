#include <catch2/catch.hpp>

#include "cgroups/paths.hpp"
#include "cgroups/plan.hpp"
#include "cgroups/systemd/unit_name.hpp"
#include "cgroups/systemd/unit_properties.hpp"
#include "oci/support/error.hpp"

using namespace agentrt::cgroups;
using namespace agentrt::cgroups::systemd;

namespace {

const UnitProperty* find(const std::vector<UnitProperty>& props, const std::string& name) {
  for (const auto& p : props)
    if (p.name == name) return &p;
  return nullptr;
}

template <class T>
T value_of(const std::vector<UnitProperty>& props, const std::string& name) {
  const UnitProperty* p = find(props, name);
  REQUIRE(p != nullptr);
  REQUIRE(std::holds_alternative<T>(p->value));
  return std::get<T>(p->value);
}

const char* const kProcDevices =
    "Character devices:\n  1 mem\n  4 /dev/vc/0\n  4 tty\n  5 /dev/tty\n136 pts\n\n"
    "Block devices:\n  7 loop\n  8 sd\n";

}  // namespace

TEST_CASE("unit_name: scopes named as runc names them") {
  auto u = unit_name({"c1", "system.slice:agentrt:c1", true});
  CHECK(u.unit == "agentrt-c1.scope");
  CHECK(u.parent == "system.slice");
  CHECK(u.path == "/system.slice/agentrt-c1.scope");
  CHECK_FALSE(u.is_slice);

  auto dflt = unit_name({"c1", "", true});
  CHECK(dflt.unit == "runc-c1.scope");
  CHECK(dflt.parent == "system.slice");

  auto no_prefix = unit_name({"c1", "user.slice::name", true});
  CHECK(no_prefix.unit == "name.scope");
  CHECK(no_prefix.path == "/user.slice/name.scope");

  auto empty_slice = unit_name({"c1", ":pre:name", true});
  CHECK(empty_slice.parent == "system.slice");
  CHECK(empty_slice.path == "/system.slice/pre-name.scope");
}

TEST_CASE("unit_name: nested parent slices and slice units") {
  auto nested = unit_name({"c1", "a-b-c.slice:pre:x", true});
  CHECK(nested.parent == "a-b-c.slice");
  CHECK(nested.path == "/a.slice/a-b.slice/a-b-c.slice/pre-x.scope");

  auto slice = unit_name({"c1", "a.slice:pre:a-b.slice", true});
  CHECK(slice.is_slice);
  CHECK(slice.unit == "a-b.slice");
  CHECK(slice.parent == "a.slice");
  CHECK(slice.path == "/a.slice/a-b.slice");
  CHECK(inner_path({"c1", "a.slice:pre:a-b.slice", true}) == slice.path);
}

TEST_CASE("unit_name: malformed paths name the format") {
  for (const char* bad : {"/not/systemd", "a:b", "a:b:c:d"})
    REQUIRE_THROWS_WITH(unit_name({"c1", bad, true}),
                        Catch::Contains("expected cgroupsPath to be of format \"slice:prefix:name\""));
  REQUIRE_THROWS_WITH(unit_name({"c1", "system.slice:p:", true}), Catch::Contains("empty unit name"));
  REQUIRE_THROWS_WITH(unit_name({"c1", "system.slice:p:a/b", true}), Catch::Contains("contains /"));
  REQUIRE_THROWS_WITH(unit_name({"c1", "notaslice:p:x", true}), Catch::Contains("must end in .slice"));
}

TEST_CASE("unit_properties: what StartTransientUnit gets for a scope and for a slice") {
  auto scope = unit_properties(unit_name({"c1", "system.slice:agentrt:c1", true}), "c1", 4242);
  CHECK(value_of<std::string>(scope, "Description") == "libcontainer container c1");
  CHECK(value_of<std::string>(scope, "Slice") == "system.slice");
  CHECK(value_of<bool>(scope, "Delegate"));
  CHECK(value_of<std::vector<uint32_t>>(scope, "PIDs") == std::vector<uint32_t>{4242});
  CHECK(value_of<bool>(scope, "MemoryAccounting"));
  CHECK(value_of<bool>(scope, "TasksAccounting"));
  CHECK_FALSE(value_of<bool>(scope, "DefaultDependencies"));
  CHECK(find(scope, "Wants") == nullptr);

  auto slice = unit_properties(unit_name({"c1", "a.slice:p:a-b.slice", true}), "c1", 0);
  CHECK(value_of<std::string>(slice, "Wants") == "a.slice");
  CHECK(find(slice, "Slice") == nullptr);
  CHECK(find(slice, "Delegate") == nullptr);
  CHECK(find(slice, "PIDs") == nullptr);
}

TEST_CASE("resource_properties: memory, pids, cpu weight, io weight") {
  agentrt::oci::Resources r;
  r.memory.emplace();
  r.memory->limit = 64 << 20;
  r.memory->reservation = 32 << 20;
  r.memory->swap = 96 << 20;
  r.pids = agentrt::oci::PidsResources{50};
  r.cpu.emplace();
  r.cpu->shares = 1024;
  r.block_io.emplace();
  r.block_io->weight = 500;
  auto props = resource_properties(r, kProcDevices);
  CHECK(value_of<uint64_t>(props, "MemoryMax") == 64u << 20);
  CHECK(value_of<uint64_t>(props, "MemoryLow") == 32u << 20);
  CHECK(value_of<uint64_t>(props, "MemorySwapMax") == 32u << 20);  // swap is memory+swap in the spec
  CHECK(value_of<uint64_t>(props, "TasksMax") == 50);
  CHECK(value_of<uint64_t>(props, "CPUWeight") == 100);  // same mapping as cpu.weight
  CHECK(value_of<uint64_t>(props, "IOWeight") == blkio_weight_to_io_weight(500));
  CHECK(find(props, "CPUQuotaPerSecUSec") == nullptr);
  CHECK(find(props, "DevicePolicy") == nullptr);
}

TEST_CASE("resource_properties: -1 is infinity, unset fields give nothing (update)") {
  agentrt::oci::Resources r;
  r.memory.emplace();
  r.memory->limit = -1;
  r.memory->swap = -1;
  r.pids = agentrt::oci::PidsResources{-1};
  auto props = resource_properties(r, "");
  CHECK(value_of<uint64_t>(props, "MemoryMax") == kInfinity);
  CHECK(value_of<uint64_t>(props, "MemorySwapMax") == kInfinity);
  CHECK(value_of<uint64_t>(props, "TasksMax") == kInfinity);
  CHECK(find(props, "MemoryLow") == nullptr);

  CHECK(resource_properties(agentrt::oci::Resources{}, "").empty());
  agentrt::oci::Resources swap_only;
  swap_only.memory.emplace();
  swap_only.memory->swap = 1 << 20;
  REQUIRE_THROWS_WITH(resource_properties(swap_only, ""), Catch::Contains("linux.resources.memory.swap"));
}

TEST_CASE("cpu quota: per second, rounded up to 10 ms, with the period") {
  CHECK(cpu_quota_per_sec_usec(50000, 100000) == 500000);
  CHECK(cpu_quota_per_sec_usec(12345, 100000) == 130000);
  CHECK(cpu_quota_per_sec_usec(50000, 0) == 500000);  // default period 100 ms
  CHECK(cpu_quota_per_sec_usec(-1, 100000) == kInfinity);
  CHECK(cpu_quota_per_sec_usec(0, 100000) == kInfinity);

  agentrt::oci::Resources r;
  r.cpu.emplace();
  r.cpu->quota = 20000;
  r.cpu->period = 50000;
  r.cpu->cpus = "0-2,9";
  r.cpu->mems = "0";
  auto props = resource_properties(r, "");
  CHECK(value_of<uint64_t>(props, "CPUQuotaPerSecUSec") == 400000);
  CHECK(value_of<uint64_t>(props, "CPUQuotaPeriodUSec") == 50000);
  CHECK(value_of<std::vector<uint8_t>>(props, "AllowedCPUs") == std::vector<uint8_t>{0x07, 0x02});
  CHECK(value_of<std::vector<uint8_t>>(props, "AllowedMemoryNodes") == std::vector<uint8_t>{0x01});
}

TEST_CASE("cpuset_mask: bad lists name the field") {
  CHECK(cpuset_mask("0,8-9", "f") == std::vector<uint8_t>{0x01, 0x03});
  for (const char* bad : {"", "a", "3-1", "1-", "-1", "1,,2", "99999"})
    REQUIRE_THROWS_WITH(cpuset_mask(bad, "linux.resources.cpu.cpus"),
                        Catch::Contains("linux.resources.cpu.cpus: invalid cpu list"));
}

TEST_CASE("devices: deny all then allows is a strict allow list") {
  using agentrt::oci::DeviceCgroupRule;
  agentrt::oci::Resources r;
  r.devices = {DeviceCgroupRule{false, "a", std::nullopt, std::nullopt, "rwm"},
               DeviceCgroupRule{true, "c", 1, 3, "rwm"}, DeviceCgroupRule{true, "c", 136, std::nullopt, "rw"},
               DeviceCgroupRule{true, "b", std::nullopt, std::nullopt, "m"},
               DeviceCgroupRule{true, "c", 4, std::nullopt, "r"}};
  auto props = resource_properties(r, kProcDevices);
  CHECK(value_of<std::string>(props, "DevicePolicy") == "strict");
  DeviceAllowList expected{{"/dev/char/1:3", "rwm"},
                           {"char-pts", "rw"},
                           {"block-*", "m"},
                           {"char-/dev/vc/0", "r"},
                           {"char-tty", "r"}};
  CHECK(value_of<DeviceAllowList>(props, "DeviceAllow") == expected);
}

TEST_CASE("devices: what systemd cannot express is left to agentrt's own program") {
  using agentrt::oci::DeviceCgroupRule;
  agentrt::oci::Resources allow_then_deny;
  allow_then_deny.devices = {DeviceCgroupRule{true, "a", std::nullopt, std::nullopt, "rwm"},
                             DeviceCgroupRule{false, "c", 1, 3, "rwm"}};
  agentrt::oci::Resources unknown_major;
  unknown_major.devices = {DeviceCgroupRule{false, "a", std::nullopt, std::nullopt, "rwm"},
                           DeviceCgroupRule{true, "c", 250, std::nullopt, "rwm"}};
  for (const auto* r : {&allow_then_deny, &unknown_major}) {
    auto props = resource_properties(*r, kProcDevices);
    CHECK(value_of<std::string>(props, "DevicePolicy") == "auto");
    CHECK(value_of<DeviceAllowList>(props, "DeviceAllow").empty());
  }
}
