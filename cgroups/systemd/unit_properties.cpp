#include "cgroups/systemd/unit_properties.hpp"

#include <charconv>
#include <sstream>

#include "cgroups/plan.hpp"
#include "oci/support/error.hpp"

namespace agentrt::cgroups::systemd {
namespace {

const std::string kRes = "linux.resources.";
constexpr uint64_t kDefaultPeriodUsec = 100000;

uint64_t limit_or_infinity(int64_t v) {
  return v < 0 ? kInfinity : static_cast<uint64_t>(v);
}

void add_memory(std::vector<UnitProperty>& out, const oci::MemoryResources& m) {
  int64_t limit = m.limit.value_or(0);
  if (limit != 0) out.push_back({"MemoryMax", limit_or_infinity(limit)});
  if (m.reservation.value_or(0) != 0) out.push_back({"MemoryLow", limit_or_infinity(*m.reservation)});
  std::string swap = v2_swap_value(m.swap.value_or(0), limit);
  if (swap == "max")
    out.push_back({"MemorySwapMax", kInfinity});
  else if (!swap.empty())
    out.push_back({"MemorySwapMax", static_cast<uint64_t>(std::stoull(swap))});
}

void add_cpu(std::vector<UnitProperty>& out, const oci::CpuResources& c) {
  if (c.shares.value_or(0) != 0) out.push_back({"CPUWeight", shares_to_weight(*c.shares)});
  int64_t quota = c.quota.value_or(0);
  uint64_t period = c.period.value_or(0);
  if (period != 0) out.push_back({"CPUQuotaPeriodUSec", period});
  if (quota != 0 || period != 0) out.push_back({"CPUQuotaPerSecUSec", cpu_quota_per_sec_usec(quota, period)});
  if (!c.cpus.empty()) out.push_back({"AllowedCPUs", cpuset_mask(c.cpus, kRes + "cpu.cpus")});
  if (!c.mems.empty()) out.push_back({"AllowedMemoryNodes", cpuset_mask(c.mems, kRes + "cpu.mems")});
}

// /proc/devices -> the names registered for one major of one type ('c' or 'b').
std::vector<std::string> device_names(const std::string& proc_devices, char type, int64_t major) {
  std::vector<std::string> names;
  std::istringstream in(proc_devices);
  std::string line;
  char section = 0;
  while (std::getline(in, line)) {
    if (line.rfind("Character devices:", 0) == 0) section = 'c';
    if (line.rfind("Block devices:", 0) == 0) section = 'b';
    std::istringstream fields(line);
    int64_t number = -1;
    std::string name;
    if (section == type && fields >> number >> name && number == major) names.push_back(name);
  }
  return names;
}

// One allow rule as DeviceAllow entries; false when systemd cannot express it.
bool allow_entries(const oci::DeviceCgroupRule& rule, const std::string& proc_devices, DeviceAllowList& out) {
  std::string access = rule.access.empty() ? "rwm" : rule.access;
  if (rule.type != "c" && rule.type != "b") return false;
  std::string kind = rule.type == "c" ? "char" : "block";
  if (!rule.major || *rule.major < 0) {
    if (rule.minor && *rule.minor >= 0) return false;
    out.emplace_back(kind + "-*", access);
    return true;
  }
  if (rule.minor && *rule.minor >= 0) {
    out.emplace_back("/dev/" + kind + "/" + std::to_string(*rule.major) + ":" + std::to_string(*rule.minor),
                     access);
    return true;
  }
  auto names = device_names(proc_devices, rule.type[0], *rule.major);
  if (names.empty()) return false;
  for (const auto& n : names) out.emplace_back(kind + "-" + n, access);
  return true;
}

bool is_deny_all(const oci::DeviceCgroupRule& rule) {
  return !rule.allow && (rule.type.empty() || rule.type == "a") && !rule.major && !rule.minor;
}

// systemd only has allow lists. "Deny everything, then allow some" becomes DevicePolicy=strict with the
// allowed devices; anything else (a deny after an allow, a major without a name in /proc/devices) gets
// DevicePolicy=auto with no list, so systemd's program allows all and agentrt's own BPF program, attached
// next to it, enforces the exact rules.
void add_devices(std::vector<UnitProperty>& out, const std::vector<oci::DeviceCgroupRule>& rules,
                 const std::string& proc_devices) {
  if (rules.empty()) return;
  size_t start = 0;
  while (start < rules.size() && is_deny_all(rules[start])) ++start;
  DeviceAllowList allow;
  bool expressible = start > 0;
  for (size_t i = start; expressible && i < rules.size(); ++i)
    expressible = rules[i].allow && allow_entries(rules[i], proc_devices, allow);
  if (!expressible) {
    out.push_back({"DevicePolicy", std::string("auto")});
    out.push_back({"DeviceAllow", DeviceAllowList{}});
    return;
  }
  out.push_back({"DevicePolicy", std::string("strict")});
  out.push_back({"DeviceAllow", allow});
}

}  // namespace

std::vector<UnitProperty> unit_properties(const UnitName& unit, const std::string& id, pid_t pid) {
  std::vector<UnitProperty> out;
  out.push_back({"Description", "libcontainer container " + id});
  if (unit.is_slice) {
    out.push_back({"Wants", unit.parent});
  } else {
    out.push_back({"Slice", unit.parent});
    out.push_back({"Delegate", true});
  }
  if (pid > 0) out.push_back({"PIDs", std::vector<uint32_t>{static_cast<uint32_t>(pid)}});
  // The same accounting the cgroupfs driver gets: every controller's files exist in the unit's cgroup.
  for (const char* accounting : {"MemoryAccounting", "CPUAccounting", "IOAccounting", "TasksAccounting"})
    out.push_back({accounting, true});
  out.push_back({"DefaultDependencies", false});
  return out;
}

std::vector<UnitProperty> resource_properties(const oci::Resources& r, const std::string& proc_devices) {
  std::vector<UnitProperty> out;
  if (r.memory) add_memory(out, *r.memory);
  if (r.cpu) add_cpu(out, *r.cpu);
  if (r.pids && r.pids->limit != 0) out.push_back({"TasksMax", limit_or_infinity(r.pids->limit)});
  if (r.block_io && r.block_io->weight.value_or(0) != 0)
    out.push_back({"IOWeight", blkio_weight_to_io_weight(*r.block_io->weight)});
  add_devices(out, r.devices, proc_devices);
  return out;
}

uint64_t cpu_quota_per_sec_usec(int64_t quota, uint64_t period) {
  if (quota <= 0) return kInfinity;
  if (period == 0) period = kDefaultPeriodUsec;
  uint64_t per_sec = static_cast<uint64_t>(quota) * 1000000 / period;
  constexpr uint64_t granularity = 10000;
  if (per_sec % granularity != 0) per_sec = (per_sec / granularity + 1) * granularity;
  return per_sec;
}

std::vector<uint8_t> cpuset_mask(const std::string& list, const std::string& field) {
  std::vector<uint8_t> mask;
  auto bad = [&](const std::string& why) {
    return Error(field + ": invalid cpu list \"" + list + "\": " + why);
  };
  auto number = [&](const std::string& s) {
    unsigned n = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (s.empty() || ec != std::errc() || end != s.data() + s.size())
      throw bad("\"" + s + "\" is not a number");
    if (n >= 8192) throw bad(s + " is above 8191");
    return n;
  };
  std::istringstream in(list);
  std::string range;
  while (std::getline(in, range, ',')) {
    size_t dash = range.find('-');
    unsigned lo = number(range.substr(0, dash));
    unsigned hi = dash == std::string::npos ? lo : number(range.substr(dash + 1));
    if (hi < lo) throw bad("range " + range + " is backwards");
    if (mask.size() <= hi / 8) mask.resize(hi / 8 + 1);
    for (unsigned cpu = lo; cpu <= hi; ++cpu) mask[cpu / 8] |= static_cast<uint8_t>(1u << (cpu % 8));
  }
  if (mask.empty()) throw bad("no cpus");
  return mask;
}

}  // namespace agentrt::cgroups::systemd
