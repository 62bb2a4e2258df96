#pragma once
// The properties of the transient unit agentrt asks systemd for: what StartTransientUnit needs to make the
// scope (or slice), and linux.resources translated to the unit properties systemd has for them. Pure.
//
// Every resource is also written to the cgroup files afterwards, as runc does: systemd knows nothing of
// cpu.idle, io.max, hugetlb, rdma or linux.resources.unified, and rounds CPUQuotaPerSecUSec up to 10 ms
// where cpu.max takes the exact quota. The properties make systemd keep the same limits when it rewrites
// the files itself (daemon-reload, set-property on a parent slice).
#include <sys/types.h>

#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "cgroups/systemd/gvariant_text.hpp"
#include "cgroups/systemd/unit_name.hpp"
#include "oci/spec.hpp"

namespace agentrt::cgroups::systemd {

// D-Bus types: b, t, s, au (PIDs), ay (AllowedCPUs), a(ss) (DeviceAllow); any type for an annotation's value.
using DeviceAllowList = std::vector<std::pair<std::string, std::string>>;
using PropertyValue = std::variant<bool, uint64_t, std::string, std::vector<uint32_t>, std::vector<uint8_t>,
                                   DeviceAllowList, DbusValue>;

struct UnitProperty {
  std::string name;
  PropertyValue value;
  bool operator==(const UnitProperty&) const = default;
};

// systemd's "infinity" for MemoryMax, TasksMax, CPUQuotaPerSecUSec ...
inline constexpr uint64_t kInfinity = UINT64_MAX;

// Description, Slice= (scope) or Wants= (slice), Delegate, PIDs, accounting, DefaultDependencies=no.
std::vector<UnitProperty> unit_properties(const UnitName& unit, const std::string& id, pid_t pid);

// linux.resources -> the properties systemd has for them. proc_devices: the text of /proc/devices, for
// DeviceAllow=char-<name> of a rule with a wildcard minor. Unset fields give no property (update).
std::vector<UnitProperty> resource_properties(const oci::Resources& r, const std::string& proc_devices);

// runc's CPUQuotaPerSecUSec: quota per period scaled to one second, rounded up to systemd's 10 ms
// granularity; infinity for no quota. period 0 means the kernel default, 100 ms.
uint64_t cpu_quota_per_sec_usec(int64_t quota, uint64_t period);

// "0-2,7" -> AllowedCPUs' bitmask, byte 0 holding CPUs 0..7. field names the spec field in errors.
std::vector<uint8_t> cpuset_mask(const std::string& list, const std::string& field);

}  // namespace agentrt::cgroups::systemd
