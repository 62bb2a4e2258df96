// linux.resources -> cgroup v1 file writes (one hierarchy per controller).
#include <string>

#include "cgroups/plan.hpp"
#include "oci/support/error.hpp"

namespace agentrt::cgroups {
namespace {

const std::string kRes = "linux.resources.";

std::string limit_str(int64_t v) {
  return v < 0 ? "-1" : std::to_string(v);
}

void add(Plan& p, const std::string& ctrl, const std::string& file, const std::string& value,
         const std::string& res) {
  p.writes.push_back(FileWrite{ctrl, file, value, kRes + res, false, "", ""});
}

void plan_memory(Plan& p, const oci::MemoryResources& m) {
  int64_t limit = m.limit.value_or(0);
  int64_t swap = m.swap.value_or(0);
  // -1 for memory with swap unset means no limit for either (runc).
  bool derived_swap = limit == -1 && swap == 0;
  if (derived_swap) swap = -1;
  if (limit != 0 && swap != 0) {
    FileWrite lw{"memory", "memory.limit_in_bytes", limit_str(limit), kRes + "memory.limit", true, "", ""};
    FileWrite sw{"memory", "memory.memsw.limit_in_bytes", limit_str(swap), kRes + "memory.swap", true, "",
                 ""};
    sw.optional = derived_swap;
    // Growing: memsw must grow first; shrinking: the limit first. Unknown current values: try one order and
    // let the executor swap them on EINVAL.
    if (swap == -1) {
      p.writes.push_back(sw);
      p.writes.push_back(lw);
    } else {
      p.writes.push_back(lw);
      p.writes.push_back(sw);
    }
    p.writes.back().retry_after_next = false;
  } else {
    if (limit != 0) add(p, "memory", "memory.limit_in_bytes", limit_str(limit), "memory.limit");
    if (swap != 0) add(p, "memory", "memory.memsw.limit_in_bytes", limit_str(swap), "memory.swap");
  }
  if (m.reservation && *m.reservation != 0)
    add(p, "memory", "memory.soft_limit_in_bytes", limit_str(*m.reservation), "memory.reservation");
  if (m.kernel) p.warnings.push_back(kRes + "memory.kernel is deprecated and ignored");
  if (m.kernel_tcp) p.warnings.push_back(kRes + "memory.kernelTCP is deprecated and ignored");
  if (m.swappiness) {
    if (*m.swappiness > 100)
      throw Error(kRes + "memory.swappiness: invalid value " + std::to_string(*m.swappiness) +
                  ", expected 0 to 100");
    add(p, "memory", "memory.swappiness", std::to_string(*m.swappiness), "memory.swappiness");
  }
  if (m.disable_oom_killer && *m.disable_oom_killer)
    add(p, "memory", "memory.oom_control", "1", "memory.disableOOMKiller");
}

void plan_cpu(Plan& p, const oci::CpuResources& c) {
  if (c.shares && *c.shares != 0) add(p, "cpu", "cpu.shares", std::to_string(*c.shares), "cpu.shares");
  // The period first: the kernel checks quota/period against the parent on each write, so when the
  // period shrinks the quota may have to go first (executor retries in the other order on EINVAL).
  if (c.period && *c.period != 0) {
    add(p, "cpu", "cpu.cfs_period_us", std::to_string(*c.period), "cpu.period");
    if (c.quota && *c.quota != 0) p.writes.back().retry_after_next = true;
  }
  if (c.quota && *c.quota != 0) add(p, "cpu", "cpu.cfs_quota_us", limit_str(*c.quota), "cpu.quota");
  if (c.burst) add(p, "cpu", "cpu.cfs_burst_us", std::to_string(*c.burst), "cpu.burst");
  if (c.realtime_period && *c.realtime_period != 0)
    add(p, "cpu", "cpu.rt_period_us", std::to_string(*c.realtime_period), "cpu.realtimePeriod");
  if (c.realtime_runtime && *c.realtime_runtime != 0)
    add(p, "cpu", "cpu.rt_runtime_us", std::to_string(*c.realtime_runtime), "cpu.realtimeRuntime");
  if (c.idle) add(p, "cpu", "cpu.idle", std::to_string(*c.idle), "cpu.idle");
  if (!c.cpus.empty()) add(p, "cpuset", "cpuset.cpus", c.cpus, "cpu.cpus");
  if (!c.mems.empty()) add(p, "cpuset", "cpuset.mems", c.mems, "cpu.mems");
}

std::string dev(int64_t major, int64_t minor) {
  return std::to_string(major) + ":" + std::to_string(minor);
}

void plan_blkio(Plan& p, const oci::BlockIoResources& b) {
  // BFQ's files when the kernel has them (as runc), else CFQ's.
  if (b.weight && *b.weight != 0) {
    add(p, "blkio", "blkio.bfq.weight", std::to_string(*b.weight), "blockIO.weight");
    p.writes.back().fallback_file = "blkio.weight";
    p.writes.back().fallback_value = p.writes.back().value;
  }
  if (b.leaf_weight && *b.leaf_weight != 0)
    add(p, "blkio", "blkio.leaf_weight", std::to_string(*b.leaf_weight), "blockIO.leafWeight");
  for (size_t i = 0; i < b.weight_device.size(); ++i) {
    const auto& d = b.weight_device[i];
    std::string res = "blockIO.weightDevice[" + std::to_string(i) + "]";
    if (d.weight) {
      add(p, "blkio", "blkio.bfq.weight_device", dev(d.major, d.minor) + " " + std::to_string(*d.weight),
          res);
      p.writes.back().fallback_file = "blkio.weight_device";
      p.writes.back().fallback_value = p.writes.back().value;
    }
    if (d.leaf_weight)
      add(p, "blkio", "blkio.leaf_weight_device",
          dev(d.major, d.minor) + " " + std::to_string(*d.leaf_weight), res);
  }
  auto throttle = [&](const std::vector<oci::ThrottleDevice>& v, const std::string& file,
                      const std::string& name) {
    for (size_t i = 0; i < v.size(); ++i)
      add(p, "blkio", file, dev(v[i].major, v[i].minor) + " " + std::to_string(v[i].rate),
          "blockIO." + name + "[" + std::to_string(i) + "]");
  };
  throttle(b.throttle_read_bps_device, "blkio.throttle.read_bps_device", "throttleReadBpsDevice");
  throttle(b.throttle_write_bps_device, "blkio.throttle.write_bps_device", "throttleWriteBpsDevice");
  throttle(b.throttle_read_iops_device, "blkio.throttle.read_iops_device", "throttleReadIOPSDevice");
  throttle(b.throttle_write_iops_device, "blkio.throttle.write_iops_device", "throttleWriteIOPSDevice");
}

void plan_devices(Plan& p, const std::vector<oci::DeviceCgroupRule>& rules) {
  if (rules.empty()) return;
  // Start from deny-all, then replay the rules in order: the v1 whitelist then matches the spec's meaning
  // (later rules override earlier ones).
  add(p, "devices", "devices.deny", "a", "devices");
  for (size_t i = 0; i < rules.size(); ++i) {
    const auto& r = rules[i];
    if (r.type != "a" && r.type != "c" && r.type != "b")
      throw Error(kRes + "devices[" + std::to_string(i) + "].type: invalid device type " + r.type);
    add(p, "devices", r.allow ? "devices.allow" : "devices.deny", device_rule_string(r),
        "devices[" + std::to_string(i) + "]");
  }
}

}  // namespace

Plan plan_v1(const oci::Resources& r) {
  Plan p;
  plan_devices(p, r.devices);
  if (r.memory) plan_memory(p, *r.memory);
  if (r.cpu) plan_cpu(p, *r.cpu);
  if (r.pids && r.pids->limit != 0)
    add(p, "pids", "pids.max", r.pids->limit > 0 ? std::to_string(r.pids->limit) : "max", "pids.limit");
  if (r.block_io) plan_blkio(p, *r.block_io);
  for (size_t i = 0; i < r.hugepage_limits.size(); ++i) {
    const auto& h = r.hugepage_limits[i];
    add(p, "hugetlb", "hugetlb." + h.page_size + ".limit_in_bytes", std::to_string(h.limit),
        "hugepageLimits[" + std::to_string(i) + "]");
  }
  if (r.network) {
    if (r.network->class_id)
      add(p, "net_cls", "net_cls.classid", std::to_string(*r.network->class_id), "network.classID");
    for (size_t i = 0; i < r.network->priorities.size(); ++i) {
      const auto& np = r.network->priorities[i];
      add(p, "net_prio", "net_prio.ifpriomap", np.name + " " + std::to_string(np.priority),
          "network.priorities[" + std::to_string(i) + "]");
    }
  }
  for (const auto& [dev_name, lim] : r.rdma) {
    add(p, "rdma", "rdma.max", rdma_value(dev_name, lim), "rdma." + dev_name);
  }
  if (!r.unified.empty())
    throw Error(kRes + "unified: cannot be used on cgroup v1 (the unified map needs a cgroup v2 host)");
  return p;
}

}  // namespace agentrt::cgroups
