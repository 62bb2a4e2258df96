#pragma once
// Lifecycle operations that act through the container's cgroup: pause, resume, ps, update, events.
#include <sys/types.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "oci/spec.hpp"
#include "runtime/context.hpp"

namespace agentrt::runtime {

void pause_container(const Context& ctx, const std::string& id);
void resume_container(const Context& ctx, const std::string& id);
std::vector<pid_t> container_pids(const Context& ctx, const std::string& id);
// Applies the resources to the live cgroup and records them in the container's saved config.
void update_container(const Context& ctx, const std::string& id, const nlohmann::json& resources);
// runc's event objects: {"type":"stats","id":ID,"data":{...}} and {"type":"oom","id":ID}.
nlohmann::json stats_event(const Context& ctx, const std::string& id);
// Streams events as JSON lines on stdout every interval_ms (stats) and on each OOM kill, until the container
// stops.
void stream_events(const Context& ctx, const std::string& id, int interval_ms);

}  // namespace agentrt::runtime
