// Reads the stats files of one container cgroup (v1 or v2) into runc's shape.
#include <dirent.h>
#include <unistd.h>

#include <memory>
#include <sstream>

#include "cgroups/stats.hpp"
#include "oci/support/fs.hpp"

namespace agentrt::cgroups {
namespace {

std::string read_or_empty(const std::string& dir, const std::string& file) {
  return fs::read_file_if_exists(fs::join(dir, file)).value_or("");
}

uint64_t num(const std::string& dir, const std::string& file) {
  return parse_number(read_or_empty(dir, file));
}

// Hugepage sizes from the hugetlb files present in dir: hugetlb.<size>.<suffix>.
std::vector<std::string> hugepage_sizes(const std::string& dir, const std::string& suffix) {
  std::vector<std::string> out;
  std::unique_ptr<DIR, int (*)(DIR*)> d(::opendir(dir.c_str()), ::closedir);
  if (!d) return out;
  const std::string prefix = "hugetlb.";
  while (dirent* e = ::readdir(d.get())) {
    std::string n = e->d_name;
    if (n.rfind(prefix, 0) != 0 || n.size() <= prefix.size() + suffix.size()) continue;
    if (n.compare(n.size() - suffix.size(), suffix.size(), suffix) != 0) continue;
    std::string size = n.substr(prefix.size(), n.size() - prefix.size() - suffix.size());
    if (size.find('.') == std::string::npos) out.push_back(size);
  }
  return out;
}

nlohmann::json memory_entry(uint64_t usage, uint64_t max, uint64_t limit, uint64_t failcnt) {
  return {{"usage", usage}, {"max", max}, {"limit", limit}, {"failcnt", failcnt}};
}

nlohmann::json raw_json(const std::map<std::string, uint64_t>& m) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [k, v] : m) j[k] = v;
  return j;
}

const std::string* find(const std::map<std::string, std::string>& dirs, const std::string& c) {
  auto it = dirs.find(c);
  return it == dirs.end() ? nullptr : &it->second;
}

}  // namespace

nlohmann::json stats_v1(const std::map<std::string, std::string>& dirs) {
  nlohmann::json s = nlohmann::json::object();
  if (const auto* d = find(dirs, "cpuacct")) {
    nlohmann::json usage = {{"total", num(*d, "cpuacct.usage")}};
    nlohmann::json percpu = nlohmann::json::array();
    std::istringstream in(read_or_empty(*d, "cpuacct.usage_percpu"));
    uint64_t v;
    while (in >> v) percpu.push_back(v);
    usage["percpu"] = percpu;
    // cpuacct.stat is in USER_HZ ticks; runc reports nanoseconds.
    auto st = parse_flat_keyed(read_or_empty(*d, "cpuacct.stat"));
    uint64_t ns_per_tick = 1000000000ULL / static_cast<uint64_t>(::sysconf(_SC_CLK_TCK));
    usage["kernel"] = st["system"] * ns_per_tick;
    usage["user"] = st["user"] * ns_per_tick;
    s["cpu"]["usage"] = usage;
  }
  if (const auto* d = find(dirs, "cpu")) {
    auto st = parse_flat_keyed(read_or_empty(*d, "cpu.stat"));
    s["cpu"]["throttling"] = {{"periods", st["nr_periods"]},
                              {"throttledPeriods", st["nr_throttled"]},
                              {"throttledTime", st["throttled_time"]}};
  }
  if (const auto* d = find(dirs, "memory")) {
    auto raw = parse_flat_keyed(read_or_empty(*d, "memory.stat"));
    nlohmann::json m = {{"cache", raw["cache"]}, {"raw", raw_json(raw)}};
    m["usage"] = memory_entry(num(*d, "memory.usage_in_bytes"), num(*d, "memory.max_usage_in_bytes"),
                              num(*d, "memory.limit_in_bytes"), num(*d, "memory.failcnt"));
    m["swap"] =
        memory_entry(num(*d, "memory.memsw.usage_in_bytes"), num(*d, "memory.memsw.max_usage_in_bytes"),
                     num(*d, "memory.memsw.limit_in_bytes"), num(*d, "memory.memsw.failcnt"));
    m["kernel"] =
        memory_entry(num(*d, "memory.kmem.usage_in_bytes"), num(*d, "memory.kmem.max_usage_in_bytes"),
                     num(*d, "memory.kmem.limit_in_bytes"), num(*d, "memory.kmem.failcnt"));
    s["memory"] = m;
  }
  if (const auto* d = find(dirs, "pids")) {
    uint64_t limit = num(*d, "pids.max");
    s["pids"] = {{"current", num(*d, "pids.current")}, {"limit", limit == UINT64_MAX ? 0 : limit}};
  }
  if (const auto* d = find(dirs, "blkio")) {
    nlohmann::json b = nlohmann::json::object();
    auto bytes = parse_blkio_v1(read_or_empty(*d, "blkio.throttle.io_service_bytes_recursive"));
    auto ios = parse_blkio_v1(read_or_empty(*d, "blkio.throttle.io_serviced_recursive"));
    if (!bytes.empty()) b["ioServiceBytesRecursive"] = bytes;
    if (!ios.empty()) b["ioServicedRecursive"] = ios;
    s["blkio"] = b;
  }
  s["hugetlb"] = nlohmann::json::object();
  if (!s.contains("blkio")) s["blkio"] = nlohmann::json::object();
  if (const auto* d = find(dirs, "hugetlb")) {
    nlohmann::json h = nlohmann::json::object();
    for (const auto& size : hugepage_sizes(*d, ".usage_in_bytes"))
      h[size] = {{"usage", num(*d, "hugetlb." + size + ".usage_in_bytes")},
                 {"max", num(*d, "hugetlb." + size + ".max_usage_in_bytes")},
                 {"failcnt", num(*d, "hugetlb." + size + ".failcnt")}};
    s["hugetlb"] = h;
  }
  return s;
}

nlohmann::json stats_v2(const std::string& dir) {
  nlohmann::json s = nlohmann::json::object();
  auto cpu = parse_flat_keyed(read_or_empty(dir, "cpu.stat"));
  s["cpu"] = {{"usage",
               {{"total", cpu["usage_usec"] * 1000},
                {"kernel", cpu["system_usec"] * 1000},
                {"user", cpu["user_usec"] * 1000}}},
              {"throttling",
               {{"periods", cpu["nr_periods"]},
                {"throttledPeriods", cpu["nr_throttled"]},
                {"throttledTime", cpu["throttled_usec"] * 1000}}}};
  if (fs::exists(fs::join(dir, "memory.current"))) {
    auto raw = parse_flat_keyed(read_or_empty(dir, "memory.stat"));
    auto events = parse_flat_keyed(read_or_empty(dir, "memory.events"));
    uint64_t usage = num(dir, "memory.current");
    uint64_t limit = num(dir, "memory.max");
    nlohmann::json m = {{"cache", raw["file"]}, {"raw", raw_json(raw)}};
    m["usage"] = memory_entry(usage, num(dir, "memory.peak"), limit, events["max"]);
    if (fs::exists(fs::join(dir, "memory.swap.current"))) {
      // runc reports swap as memory+swap, like v1's memsw.
      uint64_t swap = num(dir, "memory.swap.current"), swap_max = num(dir, "memory.swap.max");
      uint64_t swap_limit = swap_max == UINT64_MAX || limit == UINT64_MAX ? UINT64_MAX : swap_max + limit;
      auto swap_events = parse_flat_keyed(read_or_empty(dir, "memory.swap.events"));
      m["swap"] = memory_entry(swap + usage, num(dir, "memory.swap.peak"), swap_limit, swap_events["max"]);
    }
    s["memory"] = m;
  }
  if (fs::exists(fs::join(dir, "pids.current"))) {
    uint64_t limit = num(dir, "pids.max");
    s["pids"] = {{"current", num(dir, "pids.current")}, {"limit", limit == UINT64_MAX ? 0 : limit}};
  }
  s["blkio"] = parse_io_stat(read_or_empty(dir, "io.stat"));
  nlohmann::json h = nlohmann::json::object();
  for (const auto& size : hugepage_sizes(dir, ".current")) {
    auto ev = parse_flat_keyed(read_or_empty(dir, "hugetlb." + size + ".events"));
    h[size] = {{"usage", num(dir, "hugetlb." + size + ".current")}, {"failcnt", ev["max"]}};
  }
  s["hugetlb"] = h;
  return s;
}

}  // namespace agentrt::cgroups
