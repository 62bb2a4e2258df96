#pragma once
// Freezing a container cgroup: v2 cgroup.freeze (+ cgroup.events "frozen 1"), v1 freezer.state.
// libcgroup 2.0 has no freezer API, so these write cgroupfs directly.
#include <string>

namespace agentrt::cgroups {

// Both wait until the kernel reports the new state; throw after a few seconds.
void freeze_v2(const std::string& dir, bool frozen);
bool is_frozen_v2(const std::string& dir);
void freeze_v1(const std::string& freezer_dir, bool frozen);
bool is_frozen_v1(const std::string& freezer_dir);

}  // namespace agentrt::cgroups
