#pragma once
// Typed model of an OCI runtime-spec 1.2 config.json (Linux). Built once by parse_spec() (oci/parse.hpp);
// nothing below the parser reads JSON. Field names follow the spec, in snake_case.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace agentrt::oci {

struct IdMapping {
  uint32_t container_id = 0;
  uint32_t host_id = 0;
  uint32_t size = 0;
};

struct User {
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::optional<uint32_t> umask;
  std::vector<uint32_t> additional_gids;
  std::string username;
};

struct ConsoleSize {
  uint32_t height = 0;
  uint32_t width = 0;
};

struct Rlimit {
  std::string type;  // "RLIMIT_NOFILE" ...
  int resource = 0;  // RLIMIT_* value for setrlimit
  uint64_t hard = 0;
  uint64_t soft = 0;
};

// Capability sets hold capability numbers (CAP_* values from <linux/capability.h>), validated by name.
struct Capabilities {
  std::vector<int> bounding, effective, inheritable, permitted, ambient;
};

struct IoPriority {
  std::string io_class;  // IOPRIO_CLASS_RT | IOPRIO_CLASS_BE | IOPRIO_CLASS_IDLE
  int priority = 0;
};

struct Scheduler {
  std::string policy;  // SCHED_OTHER ...
  int32_t nice = 0;
  int32_t priority = 0;
  std::vector<std::string> flags;
  uint64_t runtime = 0, deadline = 0, period = 0;
};

struct Process {
  bool terminal = false;
  std::optional<ConsoleSize> console_size;
  User user;
  std::vector<std::string> args;
  std::string command_line;  // Windows only; accepted and ignored
  std::vector<std::string> env;
  std::string cwd = "/";
  std::optional<Capabilities> capabilities;
  std::vector<Rlimit> rlimits;
  bool no_new_privileges = false;
  std::string apparmor_profile;
  std::optional<int> oom_score_adj;
  std::string selinux_label;
  std::optional<IoPriority> io_priority;
  std::optional<Scheduler> scheduler;
};

struct Root {
  std::string path;
  bool readonly = false;
};

struct Mount {
  std::string destination;
  std::string type;
  std::string source;
  std::vector<std::string> options;
  std::vector<IdMapping> uid_mappings, gid_mappings;
};

struct Hook {
  std::string path;
  std::vector<std::string> args;
  std::vector<std::string> env;
  std::optional<int> timeout;  // seconds, > 0
};

struct Hooks {
  std::vector<Hook> prestart, create_runtime, create_container, start_container, poststart, poststop;
};

enum class NamespaceType { pid, network, mount, ipc, uts, user, cgroup, time };

struct Namespace {
  NamespaceType type = NamespaceType::pid;
  std::string path;  // empty: create a new one
};

struct Device {
  std::string path;
  char type = 'c';  // c, b, u, p
  int64_t major = 0, minor = 0;
  std::optional<uint32_t> file_mode;
  std::optional<uint32_t> uid, gid;
};

struct DeviceCgroupRule {
  bool allow = false;
  std::string type = "a";               // a, c, b
  std::optional<int64_t> major, minor;  // nullopt = wildcard
  std::string access = "rwm";
};

struct MemoryResources {
  std::optional<int64_t> limit, reservation, swap, kernel, kernel_tcp;
  std::optional<uint64_t> swappiness;
  std::optional<bool> disable_oom_killer, use_hierarchy, check_before_update;
};

struct CpuResources {
  std::optional<uint64_t> shares;
  std::optional<int64_t> quota;
  std::optional<uint64_t> burst;
  std::optional<uint64_t> period;
  std::optional<int64_t> realtime_runtime;
  std::optional<uint64_t> realtime_period;
  std::string cpus, mems;
  std::optional<int64_t> idle;
};

struct PidsResources {
  int64_t limit = 0;
};

struct WeightDevice {
  int64_t major = 0, minor = 0;
  std::optional<uint16_t> weight, leaf_weight;
};

struct ThrottleDevice {
  int64_t major = 0, minor = 0;
  uint64_t rate = 0;
};

struct BlockIoResources {
  std::optional<uint16_t> weight, leaf_weight;
  std::vector<WeightDevice> weight_device;
  std::vector<ThrottleDevice> throttle_read_bps_device, throttle_write_bps_device, throttle_read_iops_device,
      throttle_write_iops_device;
};

struct HugepageLimit {
  std::string page_size;  // "2MB"
  uint64_t limit = 0;
};

struct NetworkPriority {
  std::string name;
  uint32_t priority = 0;
};

struct NetworkResources {
  std::optional<uint32_t> class_id;
  std::vector<NetworkPriority> priorities;
};

struct RdmaLimit {
  std::optional<uint32_t> hca_handles, hca_objects;
};

struct Resources {
  std::vector<DeviceCgroupRule> devices;
  std::optional<MemoryResources> memory;
  std::optional<CpuResources> cpu;
  std::optional<PidsResources> pids;
  std::optional<BlockIoResources> block_io;
  std::vector<HugepageLimit> hugepage_limits;
  std::optional<NetworkResources> network;
  std::map<std::string, RdmaLimit> rdma;
  std::map<std::string, std::string> unified;
};

enum class SeccompAction { kill, kill_process, kill_thread, trap, errno_ret, trace, allow, log, notify };
enum class SeccompOp {
  not_equal,
  less_than,
  less_equal,
  equal_to,
  greater_equal,
  greater_than,
  masked_equal
};

struct SeccompArg {
  uint32_t index = 0;
  uint64_t value = 0;
  uint64_t value_two = 0;
  SeccompOp op = SeccompOp::equal_to;
};

struct SeccompSyscall {
  std::vector<std::string> names;
  SeccompAction action = SeccompAction::allow;
  std::optional<uint32_t> errno_ret;
  std::vector<SeccompArg> args;
};

struct Seccomp {
  SeccompAction default_action = SeccompAction::allow;
  std::optional<uint32_t> default_errno_ret;
  std::vector<std::string> architectures;  // "SCMP_ARCH_X86_64" ...
  std::vector<std::string> flags;          // "SECCOMP_FILTER_FLAG_TSYNC" ...
  std::string listener_path;
  std::string listener_metadata;
  std::vector<SeccompSyscall> syscalls;
};

struct TimeOffset {
  int64_t secs = 0;
  uint32_t nanosecs = 0;
};

struct Personality {
  std::string domain;  // LINUX | LINUX32
  std::vector<std::string> flags;
};

struct Linux {
  std::vector<Namespace> namespaces;
  std::vector<IdMapping> uid_mappings, gid_mappings;
  std::map<std::string, TimeOffset> time_offsets;  // "monotonic", "boottime"
  std::vector<Device> devices;
  std::string cgroups_path;
  std::optional<Resources> resources;
  std::string rootfs_propagation;  // "", shared, slave, private, unbindable
  std::vector<std::string> masked_paths;
  std::vector<std::string> readonly_paths;
  std::map<std::string, std::string> sysctl;
  std::optional<Seccomp> seccomp;
  std::string mount_label;
  std::optional<Personality> personality;

  bool has_namespace(NamespaceType t) const {
    for (const auto& n : namespaces)
      if (n.type == t) return true;
    return false;
  }
  const Namespace* find_namespace(NamespaceType t) const {
    for (const auto& n : namespaces)
      if (n.type == t) return &n;
    return nullptr;
  }
};

struct Spec {
  std::string oci_version;
  std::optional<Process> process;
  Root root;
  std::string hostname;
  std::string domainname;
  std::vector<Mount> mounts;
  Hooks hooks;
  std::map<std::string, std::string> annotations;
  std::optional<Linux> linux;
};

const char* to_string(NamespaceType t);
const char* to_string(SeccompAction a);
const char* to_string(SeccompOp o);

}  // namespace agentrt::oci
