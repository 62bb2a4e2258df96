#pragma once
// A process's cgroup as the tests read it, probed at test time on either layout: one v1 hierarchy per
// controller (hybrid hosts) or a single cgroup2 hierarchy (pure v2). Each accessor reads the value from that
// layout's own file, so a test asserts one meaning on both.
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace itest {

namespace stdfs = std::filesystem;

// Whether /sys/fs/cgroup itself is a cgroup2 mount (every controller in one hierarchy).
bool pure_cgroup_v2();
// Where the cgroup2 hierarchy is mounted ("" when none is).
stdfs::path cgroup2_mountpoint();

// The trimmed number in a cgroup file ("max" is -1); fails the test when the file is empty or missing.
long long read_cgroup_number(const stdfs::path& p);
// The number after key in a flat keyed file ("key value" lines: cpu.stat, memory.events, pids.events ...).
std::optional<long long> keyed_number(const stdfs::path& file, const std::string& key);

class ProcessCgroup {
 public:
  // Reads /proc/<pid>/cgroup and the mounts of the hierarchies it names.
  explicit ProcessCgroup(int pid);

  bool v2() const { return v2_; }
  // The directory with controller's files ("memory", "pids", "cpu" ...): its v1 hierarchy's, or on pure v2
  // the one directory of the cgroup. Empty when the process is in no such hierarchy.
  stdfs::path dir(const std::string& controller) const;
  // Every distinct directory of the cgroup: one per v1 hierarchy (and the hybrid unified one), one on v2.
  std::vector<stdfs::path> dirs() const;
  // The controllers this cgroup can use: the v1 hierarchies it is in, or v2's cgroup.controllers.
  std::vector<std::string> controllers() const;

  stdfs::path memory_limit_file() const;  // memory.max | memory.limit_in_bytes
  long long memory_limit() const;         // -1: no limit
  long long memory_usage() const;         // memory.current | memory.usage_in_bytes
  long long oom_kills() const;            // oom_kill in memory.events | memory.oom_control
  long long cpu_usage_ns() const;         // usage_usec in cpu.stat (x1000) | cpuacct.usage
  long long cpu_quota() const;            // cpu.max | cpu.cfs_quota_us; -1: no quota
  long long cpu_period() const;           // cpu.max | cpu.cfs_period_us
  bool frozen() const;                    // "frozen 1" in cgroup.events | freezer.state FROZEN
  // The files above that exist, with their contents, for a failure message.
  std::string describe_memory() const;

 private:
  bool v2_ = false;
  std::map<std::string, stdfs::path> dirs_;  // controller ("" for the cgroup2 hierarchy) -> directory
};

}  // namespace itest
