#include "runtime/cgroup_ops.hpp"

#include <poll.h>

#include <chrono>
#include <cstdio>

#include "audit/log.hpp"
#include "oci/parse.hpp"
#include "oci/support/error.hpp"
#include "runtime/agent_policy.hpp"
#include "runtime/audit_egress.hpp"
#include "runtime/container_egress.hpp"
#include "runtime/owned_processes.hpp"
#include "runtime/status.hpp"

namespace agentrt::runtime {
namespace {

cgroups::Manager& cgroup_of(const Container& c) {
  if (!c.cgroup) throw Error("container " + c.rec.id + " has no cgroup");
  return *c.cgroup;
}

// Merges `patch` into `target` recursively, as runc records an update in its saved config.
void merge_json(nlohmann::json& target, const nlohmann::json& patch) {
  if (!patch.is_object() || !target.is_object()) {
    target = patch;
    return;
  }
  for (const auto& [k, v] : patch.items()) {
    if (v.is_object() && target.contains(k))
      merge_json(target[k], v);
    else
      target[k] = v;
  }
}

void print_event(const nlohmann::json& ev) {
  std::printf("%s\n", ev.dump().c_str());
  std::fflush(stdout);
}

}  // namespace

void pause_container(const Context& ctx, const std::string& id) {
  UniqueFd lock = ctx.store.lock(id);
  Container c = open_container(ctx.store, id);
  oci::Status s = container_status(ctx.store, c);
  if (s != oci::Status::running && s != oci::Status::created) throw Error("container not running");
  cgroup_of(c).freeze();
}

void resume_container(const Context& ctx, const std::string& id) {
  UniqueFd lock = ctx.store.lock(id);
  Container c = open_container(ctx.store, id);
  if (container_status(ctx.store, c) != oci::Status::paused) throw Error("container not paused");
  cgroup_of(c).thaw();
}

std::vector<pid_t> container_pids(const Context& ctx, const std::string& id) {
  Container c = open_container(ctx.store, id);
  cgroup_of(c);
  return container_members(c).owned;
}

void update_container(const Context& ctx, const std::string& id, const nlohmann::json& resources) {
  UniqueFd lock = ctx.store.lock(id);
  Container c = open_container(ctx.store, id);
  if (container_status(ctx.store, c) == oci::Status::stopped) throw Error("container not running");
  oci::Resources r = oci::parse_resources(resources, "linux.resources");
  nlohmann::json applied = resources;
  std::string clamped = policy::clamp_pids_update(r, policy::recorded_profile(c.rec.agent_policy, id));
  if (!clamped.empty()) {
    ctx.log.warn("linux.resources.pids.limit: " + clamped);
    applied["pids"]["limit"] = r.pids->limit;
  }
  cgroups::Manager& cg = cgroup_of(c);
  cg.apply(r);
  for (const auto& w : cg.warnings()) ctx.log.warn(w);
  nlohmann::json config = ctx.store.load_config(id);
  merge_json(config["linux"]["resources"], applied);
  ctx.store.save_config(id, config.dump());
}

namespace {

// The egress filter's denial counts next to the cgroup's (absent when the container has no filter).
nlohmann::json with_egress(nlohmann::json data, const Container& c) {
  nlohmann::json net = network_status(c.rec.agent_policy);
  if (net.is_object() && net.contains("denied"))
    data["egress"] = {{"denied", net["denied"]}, {"recentDenials", net["recentDenials"]}};
  return data;
}

}  // namespace

nlohmann::json stats_event(const Context& ctx, const std::string& id) {
  Container c = open_container(ctx.store, id);
  if (container_status(ctx.store, c) == oci::Status::stopped) throw Error("container not running");
  return {{"type", "stats"}, {"id", id}, {"data", with_egress(cgroup_of(c).stats(), c)}};
}

void stream_events(const Context& ctx, const std::string& id, int interval_ms) {
  Container c = open_container(ctx.store, id);
  cgroups::Manager& cg = cgroup_of(c);
  std::unique_ptr<cgroups::OomWatcher> oom = cg.watch_oom();
  auto next = std::chrono::steady_clock::now();
  audit::LogTail audit_records(audit::log_path(ctx.store.root(), id));
  auto print_audit = [&] {
    try {
      copy_egress_denials_to_audit(ctx.store.root(), ctx.store.dir(id), id, c.rec.agent_policy);
    } catch (const Error& e) {
      ctx.log.warn("events " + id + ": egress denials not copied to the audit trail: " + e.what());
    }
    for (auto& r : audit_records.read_new())
      print_event({{"type", "audit"}, {"id", id}, {"data", std::move(r)}});
  };
  while (container_status(ctx.store, c) != oci::Status::stopped) {
    print_audit();
    auto now = std::chrono::steady_clock::now();
    if (now >= next) {
      print_event({{"type", "stats"}, {"id", id}, {"data", with_egress(cg.stats(), c)}});
      next = now + std::chrono::milliseconds(interval_ms);
    }
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next - now).count();
    pollfd p{oom ? oom->fd() : -1, POLLIN, 0};
    ::poll(&p, 1, static_cast<int>(std::min<long>(wait, 500)));
    if (oom) {
      for (uint64_t n = oom->consume(); n > 0; --n) print_event({{"type", "oom"}, {"id", id}});
    }
  }
  print_audit();
}

}  // namespace agentrt::runtime
