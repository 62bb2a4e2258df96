// linux.resources -> cgroup v2 file writes (one directory; `controller` names what must be enabled).
#include <map>
#include <string>

#include "cgroups/plan.hpp"
#include "oci/support/error.hpp"

namespace agentrt::cgroups {
namespace {

const std::string kRes = "linux.resources.";

std::string max_or(int64_t v) {
  return v < 0 ? "max" : std::to_string(v);
}

void add(Plan& p, const std::string& ctrl, const std::string& file, const std::string& value,
         const std::string& res) {
  p.writes.push_back(FileWrite{ctrl, file, value, kRes + res, false, "", ""});
}

void plan_memory(Plan& p, const oci::MemoryResources& m) {
  int64_t limit = m.limit.value_or(0);
  int64_t swap = m.swap.value_or(0);
  std::string swap_value = v2_swap_value(swap, limit);
  // Swap first so that lowering memory.max never trips over the old swap setting (runc's order).
  if (!swap_value.empty()) {
    add(p, "memory", "memory.swap.max", swap_value, "memory.swap");
    p.writes.back().optional = swap_value == "max" || swap_value == "0";
  }
  if (limit != 0) add(p, "memory", "memory.max", max_or(limit), "memory.limit");
  if (m.reservation && *m.reservation != 0)
    add(p, "memory", "memory.low", max_or(*m.reservation), "memory.reservation");
  if (m.kernel) p.warnings.push_back(kRes + "memory.kernel is not supported on cgroup v2 and is ignored");
  if (m.kernel_tcp)
    p.warnings.push_back(kRes + "memory.kernelTCP is not supported on cgroup v2 and is ignored");
  if (m.swappiness)
    p.warnings.push_back(kRes + "memory.swappiness is not supported on cgroup v2 and is ignored");
  if (m.disable_oom_killer && *m.disable_oom_killer)
    p.warnings.push_back(kRes + "memory.disableOOMKiller is not supported on cgroup v2 and is ignored");
}

void plan_cpu(Plan& p, const oci::CpuResources& c) {
  if (c.shares && *c.shares != 0)
    add(p, "cpu", "cpu.weight", std::to_string(shares_to_weight(*c.shares)), "cpu.shares");
  int64_t quota = c.quota.value_or(0);
  uint64_t period = c.period.value_or(0);
  if (quota != 0 || period != 0) {
    std::string v = quota > 0 ? std::to_string(quota) : "max";
    if (period != 0) v += " " + std::to_string(period);
    add(p, "cpu", "cpu.max", v, quota != 0 ? "cpu.quota" : "cpu.period");
  }
  if (c.burst) add(p, "cpu", "cpu.max.burst", std::to_string(*c.burst), "cpu.burst");
  if (c.realtime_period.value_or(0) != 0 || c.realtime_runtime.value_or(0) != 0)
    throw Error(kRes + "cpu.realtimeRuntime: realtime scheduling is not supported on cgroup v2");
  if (c.idle) add(p, "cpu", "cpu.idle", std::to_string(*c.idle), "cpu.idle");
  if (!c.cpus.empty()) add(p, "cpuset", "cpuset.cpus", c.cpus, "cpu.cpus");
  if (!c.mems.empty()) add(p, "cpuset", "cpuset.mems", c.mems, "cpu.mems");
}

std::string dev(int64_t major, int64_t minor) {
  return std::to_string(major) + ":" + std::to_string(minor);
}

void plan_io(Plan& p, const oci::BlockIoResources& b) {
  // io.bfq.weight takes blkio's own 1..1000 scale; io.weight (iocost) takes 1..10000.
  if (b.weight && *b.weight != 0) {
    FileWrite w{"io",
                "io.bfq.weight",
                std::to_string(*b.weight),
                kRes + "blockIO.weight",
                false,
                "io.weight",
                std::to_string(blkio_weight_to_io_weight(*b.weight))};
    p.writes.push_back(w);
  }
  if (b.leaf_weight)
    p.warnings.push_back(kRes + "blockIO.leafWeight is not supported on cgroup v2 and is ignored");
  for (size_t i = 0; i < b.weight_device.size(); ++i) {
    const auto& d = b.weight_device[i];
    std::string res = kRes + "blockIO.weightDevice[" + std::to_string(i) + "]";
    if (d.weight)
      p.writes.push_back(FileWrite{
          "io", "io.bfq.weight", dev(d.major, d.minor) + " " + std::to_string(*d.weight), res, false,
          "io.weight", dev(d.major, d.minor) + " " + std::to_string(blkio_weight_to_io_weight(*d.weight))});
    if (d.leaf_weight) p.warnings.push_back(res + ".leafWeight is not supported on cgroup v2 and is ignored");
  }
  auto throttle = [&](const std::vector<oci::ThrottleDevice>& v, const std::string& key,
                      const std::string& name) {
    for (size_t i = 0; i < v.size(); ++i)
      add(p, "io", "io.max",
          dev(v[i].major, v[i].minor) + " " + key + "=" +
              (v[i].rate == 0 ? "max" : std::to_string(v[i].rate)),
          "blockIO." + name + "[" + std::to_string(i) + "]");
  };
  throttle(b.throttle_read_bps_device, "rbps", "throttleReadBpsDevice");
  throttle(b.throttle_write_bps_device, "wbps", "throttleWriteBpsDevice");
  throttle(b.throttle_read_iops_device, "riops", "throttleReadIOPSDevice");
  throttle(b.throttle_write_iops_device, "wiops", "throttleWriteIOPSDevice");
}

void check_device_rules(const std::vector<oci::DeviceCgroupRule>& rules) {
  for (size_t i = 0; i < rules.size(); ++i) {
    const auto& r = rules[i];
    std::string at = kRes + "devices[" + std::to_string(i) + "]";
    if (r.type != "a" && r.type != "c" && r.type != "b")
      throw Error(at + ".type: invalid device type " + r.type);
    if (r.access.find_first_not_of("rwm") != std::string::npos)
      throw Error(at + ".access: invalid access " + r.access);
  }
}

}  // namespace

Plan plan_v2(const oci::Resources& r) {
  Plan p;
  check_device_rules(r.devices);
  p.device_rules = r.devices;
  if (r.memory) plan_memory(p, *r.memory);
  if (r.cpu) plan_cpu(p, *r.cpu);
  if (r.pids && r.pids->limit != 0) add(p, "pids", "pids.max", max_or(r.pids->limit), "pids.limit");
  if (r.block_io) plan_io(p, *r.block_io);
  for (size_t i = 0; i < r.hugepage_limits.size(); ++i) {
    const auto& h = r.hugepage_limits[i];
    add(p, "hugetlb", "hugetlb." + h.page_size + ".max", std::to_string(h.limit),
        "hugepageLimits[" + std::to_string(i) + "]");
  }
  if (r.network && (r.network->class_id || !r.network->priorities.empty()))
    throw Error(kRes + "network: net_cls and net_prio do not exist on cgroup v2");
  for (const auto& [dev_name, lim] : r.rdma)
    add(p, "rdma", "rdma.max", rdma_value(dev_name, lim), "rdma." + dev_name);
  for (const auto& [key, value] : r.unified) {
    std::string at = kRes + "unified." + key;
    if (key.empty() || key.find('/') != std::string::npos || key.find("..") != std::string::npos)
      throw Error(at + ": invalid cgroup file name");
    size_t dot = key.find('.');
    if (dot == std::string::npos || dot == 0) throw Error(at + ": invalid cgroup file name");
    std::string ctrl = key.substr(0, dot);
    if (ctrl == "cgroup") ctrl.clear();
    p.writes.push_back(FileWrite{ctrl, key, value, at, false, "", ""});
  }
  return p;
}

}  // namespace agentrt::cgroups
