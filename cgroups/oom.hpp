#pragma once
// OOM-kill notification for `events`: v2 watches memory.events (inotify) for its oom_kill counter; v1
// registers an eventfd on memory.oom_control through cgroup.event_control.
#include <memory>
#include <string>

#include "cgroups/manager.hpp"

namespace agentrt::cgroups {

std::unique_ptr<OomWatcher> watch_oom_v2(const std::string& dir);
std::unique_ptr<OomWatcher> watch_oom_v1(const std::string& memory_dir);

}  // namespace agentrt::cgroups
