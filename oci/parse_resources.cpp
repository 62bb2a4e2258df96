// linux.resources (config.json) and the resources.json of `update -r`.
#include "oci/parse_internal.hpp"

namespace agentrt::oci {
namespace detail {
namespace {

// A device rule's major/minor: absent (or -1, as runc writes wildcards) matches every device.
std::optional<int64_t> device_number(const Node& n) {
  auto v = n.opt_int<int64_t>();
  if (v && *v == -1) return std::nullopt;
  if (v && *v < 0) n.fail("expected non-negative integer or -1, got " + std::to_string(*v));
  return v;
}

std::vector<DeviceCgroupRule> parse_device_rules(const Node& n) {
  std::vector<DeviceCgroupRule> out;
  for (const Node& item : n.items()) {
    DeviceCgroupRule r;
    r.allow = item.object()["allow"].required().boolean();
    Node type = item["type"];
    r.type = type.str_or("a");
    if (r.type != "a" && r.type != "c" && r.type != "b")
      type.fail("unknown device type \"" + r.type + "\", expected one of a, c, b");
    r.major = device_number(item["major"]);
    r.minor = device_number(item["minor"]);
    Node access = item["access"];
    r.access = access.str_or("rwm");
    if (r.access.empty() || r.access.find_first_not_of("rwm") != std::string::npos)
      access.fail("invalid access \"" + r.access + "\", expected a combination of r, w, m");
    out.push_back(std::move(r));
  }
  return out;
}

// A byte count or -1 for unlimited (0 leaves the kernel's value).
std::optional<int64_t> memory_bytes(const Node& n) {
  auto v = n.opt_int<int64_t>();
  if (v && *v < -1) n.fail("expected -1 (unlimited) or a number of bytes, got " + std::to_string(*v));
  return v;
}

MemoryResources parse_memory(const Node& n) {
  n.object();
  MemoryResources m;
  m.limit = memory_bytes(n["limit"]);
  m.reservation = memory_bytes(n["reservation"]);
  m.swap = memory_bytes(n["swap"]);
  m.kernel = n["kernel"].opt_int<int64_t>();
  m.kernel_tcp = n["kernelTCP"].opt_int<int64_t>();
  Node swappiness = n["swappiness"];
  m.swappiness = swappiness.opt_int<uint64_t>();
  if (m.swappiness && *m.swappiness > 100)
    swappiness.fail("expected integer in range [0, 100], got " + std::to_string(*m.swappiness));
  m.disable_oom_killer = n["disableOOMKiller"].opt_bool();
  m.use_hierarchy = n["useHierarchy"].opt_bool();
  m.check_before_update = n["checkBeforeUpdate"].opt_bool();
  return m;
}

CpuResources parse_cpu(const Node& n) {
  n.object();
  CpuResources c;
  c.shares = n["shares"].opt_int<uint64_t>();
  c.quota = n["quota"].opt_int<int64_t>();
  c.burst = n["burst"].opt_int<uint64_t>();
  c.period = n["period"].opt_int<uint64_t>();
  c.realtime_runtime = n["realtimeRuntime"].opt_int<int64_t>();
  c.realtime_period = n["realtimePeriod"].opt_int<uint64_t>();
  c.cpus = n["cpus"].str_or("");
  c.mems = n["mems"].str_or("");
  c.idle = n["idle"].opt_int<int64_t>();
  return c;
}

std::vector<ThrottleDevice> parse_throttle(const Node& n) {
  std::vector<ThrottleDevice> out;
  for (const Node& item : n.items()) {
    item.object();
    out.push_back(ThrottleDevice{item["major"].required().integer<int64_t>(),
                                 item["minor"].required().integer<int64_t>(),
                                 item["rate"].required().integer<uint64_t>()});
  }
  return out;
}

BlockIoResources parse_block_io(const Node& n) {
  n.object();
  BlockIoResources b;
  b.weight = n["weight"].opt_int<uint16_t>();
  b.leaf_weight = n["leafWeight"].opt_int<uint16_t>();
  for (const Node& item : n["weightDevice"].items()) {
    item.object();
    b.weight_device.push_back(
        WeightDevice{item["major"].required().integer<int64_t>(), item["minor"].required().integer<int64_t>(),
                     item["weight"].opt_int<uint16_t>(), item["leafWeight"].opt_int<uint16_t>()});
  }
  b.throttle_read_bps_device = parse_throttle(n["throttleReadBpsDevice"]);
  b.throttle_write_bps_device = parse_throttle(n["throttleWriteBpsDevice"]);
  b.throttle_read_iops_device = parse_throttle(n["throttleReadIOPSDevice"]);
  b.throttle_write_iops_device = parse_throttle(n["throttleWriteIOPSDevice"]);
  return b;
}

std::vector<HugepageLimit> parse_hugepages(const Node& n) {
  std::vector<HugepageLimit> out;
  for (const Node& item : n.items()) {
    item.object();
    out.push_back(
        HugepageLimit{item["pageSize"].required().str(), item["limit"].required().integer<uint64_t>()});
  }
  return out;
}

NetworkResources parse_network(const Node& n) {
  n.object();
  NetworkResources net;
  net.class_id = n["classID"].opt_int<uint32_t>();
  for (const Node& item : n["priorities"].items()) {
    item.object();
    net.priorities.push_back(
        NetworkPriority{item["name"].required().str(), item["priority"].required().integer<uint32_t>()});
  }
  return net;
}

std::map<std::string, RdmaLimit> parse_rdma(const Node& n) {
  std::map<std::string, RdmaLimit> out;
  for (const auto& [device, limit] : n.members()) {
    limit.object();
    out[device] = RdmaLimit{limit["hcaHandles"].opt_int<uint32_t>(), limit["hcaObjects"].opt_int<uint32_t>()};
  }
  return out;
}

}  // namespace

Resources parse_resources(const Node& n) {
  n.object();
  Resources r;
  r.devices = parse_device_rules(n["devices"]);
  if (Node m = n["memory"]; m.present()) r.memory = parse_memory(m);
  if (Node c = n["cpu"]; c.present()) r.cpu = parse_cpu(c);
  if (Node p = n["pids"]; p.present())
    r.pids = PidsResources{p.object()["limit"].required().integer<int64_t>()};
  if (Node b = n["blockIO"]; b.present()) r.block_io = parse_block_io(b);
  r.hugepage_limits = parse_hugepages(n["hugepageLimits"]);
  if (Node net = n["network"]; net.present()) r.network = parse_network(net);
  r.rdma = parse_rdma(n["rdma"]);
  r.unified = n["unified"].str_map();
  return r;
}

}  // namespace detail

Resources parse_resources(const nlohmann::json& j, const std::string& path) {
  return detail::parse_resources(detail::Node(&j, path));
}

}  // namespace agentrt::oci
