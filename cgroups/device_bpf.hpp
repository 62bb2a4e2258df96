#pragma once
// cgroup v2 device control: the OCI device rules compiled to a BPF_PROG_TYPE_CGROUP_DEVICE program
// (pure, unit-tested by interpreting it) and attached to a cgroup directory (bpf(2)).
#include <linux/bpf.h>

#include <vector>

#include "oci/spec.hpp"

namespace agentrt::cgroups {

// Rules are evaluated like the v1 whitelist they come from: the last matching rule decides; no match
// denies. An allow rule matches when every requested access is in its access set; a deny rule matches
// when any requested access is in its set.
std::vector<bpf_insn> device_program(const std::vector<oci::DeviceCgroupRule>& rules);

// Loads the program and attaches it to the cgroup open at cgroup_fd, replacing programs attached there
// before (attach the new one first, then detach the old ones, so no window is left open).
void attach_device_program(int cgroup_fd, const std::vector<bpf_insn>& program);

}  // namespace agentrt::cgroups
