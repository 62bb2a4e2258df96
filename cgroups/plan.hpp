#pragma once
// linux.resources -> the cgroup file writes that implement them, per layout. Pure functions: the
// executor (executor.hpp) performs the writes; unit tests check the plans.
#include <cstdint>
#include <string>
#include <vector>

#include "oci/spec.hpp"

namespace agentrt::cgroups {

struct FileWrite {
  std::string
      controller;    // v1: hierarchy that holds the file; v2: controller that must be enabled ("" = core)
  std::string file;  // "memory.limit_in_bytes"
  std::string value;
  std::string resource;  // spec path for errors: "linux.resources.memory.limit"
  // When the kernel refuses this write with EINVAL, perform the next write first and retry this one
  // (memory limit vs memsw limit, cfs period vs quota: the valid order depends on the current values).
  bool retry_after_next = false;
  // Written instead when `file` does not exist (io.bfq.weight -> io.weight).
  std::string fallback_file, fallback_value;
  // Skipped silently when the file does not exist (swap settings that only lift or disable swap on a
  // kernel without swap accounting, as runc does).
  bool optional = false;

  bool operator==(const FileWrite&) const = default;
};

struct Plan {
  std::vector<FileWrite> writes;
  std::vector<std::string> warnings;  // accepted but ignored settings
  // v2 only: the device rules for the BPF program; empty when linux.resources.devices is empty.
  std::vector<oci::DeviceCgroupRule> device_rules;
};

Plan plan_v1(const oci::Resources& r);
Plan plan_v2(const oci::Resources& r);

// cpu.shares [2, 262144] -> cpu.weight [1, 10000]; crun's quadratic-in-log2 mapping that sends the
// default 1024 to the default 100. 0 means unset and stays 0.
uint64_t shares_to_weight(uint64_t shares);
// blkio.weight [10, 1000] -> io.weight [1, 10000], linearly (runc).
uint64_t blkio_weight_to_io_weight(uint64_t weight);
// memory.swap.max from the spec's swap (memory+swap) and limit, as runc: -1 = "max"; nullopt = no write.
// Throws when swap is set without a limit or is below the limit.
std::string v2_swap_value(int64_t swap, int64_t limit);

// "mlx4_0 hca_handle=2 hca_object=2000" (only the limits that are set).
std::string rdma_value(const std::string& device, const oci::RdmaLimit& lim);

// "c 1:3 rwm" with * for wildcards (v1 devices.allow / devices.deny syntax).
std::string device_rule_string(const oci::DeviceCgroupRule& rule);

}  // namespace agentrt::cgroups
