#include "cgroup_files.hpp"

#include <linux/magic.h>
#include <sys/statfs.h>

#include <catch2/catch.hpp>
#include <set>
#include <sstream>

#include "text.hpp"

namespace itest {

namespace {

struct CgroupMount {
  std::string fstype;                   // cgroup or cgroup2
  std::set<std::string> super_options;  // a v1 mount's controllers (and name=...)
  stdfs::path root, mountpoint;
};

// The cgroup and cgroup2 mounts in /proc/self/mountinfo (fields: id parent dev root mountpoint options
// [optional fields] - fstype source super-options).
std::vector<CgroupMount> cgroup_mounts() {
  std::vector<CgroupMount> mounts;
  std::istringstream in(read_text("/proc/self/mountinfo"));
  for (std::string line; std::getline(in, line);) {
    std::istringstream fields(line);
    std::string id, parent, dev, root, mountpoint, word;
    fields >> id >> parent >> dev >> root >> mountpoint;
    while (fields >> word && word != "-") {
    }
    std::string fstype, source, options;
    fields >> fstype >> source >> options;
    if (fstype != "cgroup" && fstype != "cgroup2") continue;
    CgroupMount m{fstype, {}, root, mountpoint};
    std::istringstream each(options);
    for (std::string o; std::getline(each, o, ',');) m.super_options.insert(o);
    mounts.push_back(m);
  }
  return mounts;
}

// The mount whose hierarchy holds the controllers of one /proc/<pid>/cgroup line ("" for cgroup2).
const CgroupMount* mount_of(const std::vector<CgroupMount>& mounts, const std::string& controllers) {
  for (const auto& m : mounts) {
    if (controllers.empty()) {
      if (m.fstype == "cgroup2") return &m;
      continue;
    }
    if (m.fstype != "cgroup") continue;
    bool all = true;
    std::istringstream each(controllers);
    for (std::string c; std::getline(each, c, ',');) all = all && m.super_options.count(c) > 0;
    if (all) return &m;
  }
  return nullptr;
}

std::string word_at(const stdfs::path& file, size_t index) {
  std::istringstream in(read_text(file));
  std::string word;
  for (size_t i = 0; i <= index; ++i) {
    if (!(in >> word)) return "";
  }
  return word;
}

long long number_or_max(const std::string& word, const stdfs::path& file) {
  INFO("reading " << file << ": '" << word << "'");
  REQUIRE(!word.empty());
  return word == "max" ? -1 : std::stoll(word);
}

}  // namespace

bool pure_cgroup_v2() {
  struct statfs st {};
  return statfs("/sys/fs/cgroup", &st) == 0 && st.f_type == CGROUP2_SUPER_MAGIC;
}

stdfs::path cgroup2_mountpoint() {
  for (const auto& m : cgroup_mounts())
    if (m.fstype == "cgroup2") return m.mountpoint;
  return "";
}

long long read_cgroup_number(const stdfs::path& p) {
  return number_or_max(trim(read_text(p)), p);
}

std::optional<long long> keyed_number(const stdfs::path& file, const std::string& key) {
  std::istringstream in(read_text(file));
  std::string k;
  long long v;
  while (in >> k >> v) {
    if (k == key) return v;
  }
  return std::nullopt;
}

ProcessCgroup::ProcessCgroup(int pid) : v2_(pure_cgroup_v2()) {
  auto mounts = cgroup_mounts();
  std::istringstream in(read_text("/proc/" + std::to_string(pid) + "/cgroup"));
  for (std::string line; std::getline(in, line);) {
    auto a = line.find(':'), b = line.find(':', a + 1);
    if (a == std::string::npos || b == std::string::npos) continue;
    std::string controllers = line.substr(a + 1, b - a - 1);
    stdfs::path path = line.substr(b + 1);
    const CgroupMount* m = mount_of(mounts, controllers);
    if (!m) continue;
    stdfs::path dir = m->mountpoint / path.lexically_relative(m->root);
    dir = dir.lexically_normal();
    if (controllers.empty()) {
      dirs_[""] = dir;
      continue;
    }
    std::istringstream each(controllers);
    for (std::string c; std::getline(each, c, ',');) dirs_[c.rfind("name=", 0) == 0 ? c.substr(5) : c] = dir;
  }
}

stdfs::path ProcessCgroup::dir(const std::string& controller) const {
  auto it = dirs_.find(v2_ ? "" : controller);
  return it == dirs_.end() ? stdfs::path() : it->second;
}

std::vector<stdfs::path> ProcessCgroup::dirs() const {
  std::set<stdfs::path> distinct;
  for (const auto& [controller, d] : dirs_) distinct.insert(d);
  return {distinct.begin(), distinct.end()};
}

std::vector<std::string> ProcessCgroup::controllers() const {
  std::vector<std::string> names;
  if (!v2_) {
    for (const auto& [controller, d] : dirs_)
      if (!controller.empty()) names.push_back(controller);
    return names;
  }
  std::istringstream in(read_text(dir("") / "cgroup.controllers"));
  for (std::string c; in >> c;) names.push_back(c);
  return names;
}

stdfs::path ProcessCgroup::memory_limit_file() const {
  return dir("memory") / (v2_ ? "memory.max" : "memory.limit_in_bytes");
}

long long ProcessCgroup::memory_limit() const {
  return read_cgroup_number(memory_limit_file());
}

long long ProcessCgroup::memory_usage() const {
  return read_cgroup_number(dir("memory") / (v2_ ? "memory.current" : "memory.usage_in_bytes"));
}

long long ProcessCgroup::oom_kills() const {
  auto file = dir("memory") / (v2_ ? "memory.events" : "memory.oom_control");
  auto n = keyed_number(file, "oom_kill");
  INFO(file << " holds:\n" << read_text(file));
  REQUIRE(n.has_value());
  return *n;
}

long long ProcessCgroup::cpu_usage_ns() const {
  if (!v2_) return read_cgroup_number(dir("cpuacct") / "cpuacct.usage");
  auto usec = keyed_number(dir("cpu") / "cpu.stat", "usage_usec");
  INFO(dir("cpu") / "cpu.stat"
       << " holds:\n"
       << read_text(dir("cpu") / "cpu.stat"));
  REQUIRE(usec.has_value());
  return *usec * 1000;
}

long long ProcessCgroup::cpu_quota() const {
  if (v2_) return number_or_max(word_at(dir("cpu") / "cpu.max", 0), dir("cpu") / "cpu.max");
  return read_cgroup_number(dir("cpu") / "cpu.cfs_quota_us");
}

long long ProcessCgroup::cpu_period() const {
  if (v2_) return number_or_max(word_at(dir("cpu") / "cpu.max", 1), dir("cpu") / "cpu.max");
  return read_cgroup_number(dir("cpu") / "cpu.cfs_period_us");
}

bool ProcessCgroup::frozen() const {
  if (v2_) return keyed_number(dir("") / "cgroup.events", "frozen") == 1;
  return trim(read_text(dir("freezer") / "freezer.state")) == "FROZEN";
}

std::string ProcessCgroup::describe_memory() const {
  std::string text;
  for (const char* f : {"memory.events", "memory.current", "memory.max", "memory.oom_control",
                        "memory.usage_in_bytes", "memory.limit_in_bytes"}) {
    auto p = dir("memory") / f;
    if (stdfs::exists(p)) text += std::string(f) + ":\n" + read_text(p);
  }
  return text;
}

}  // namespace itest
