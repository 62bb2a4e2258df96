#include "runtime/create_steps.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <ctime>

#include "cgroups/paths.hpp"
#include "oci/support/error.hpp"
#include "oci/support/fs.hpp"
#include "policy/egress_bpf.hpp"
#include "runtime/devices.hpp"
#include "runtime/lifecycle.hpp"
#include "runtime/owned_processes.hpp"
#include "runtime/passwd.hpp"
#include "runtime/proc_info.hpp"

namespace agentrt::runtime {

CreateRollback::~CreateRollback() {
  if (committed_) return;
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  if (shared_mount_ns_) {
    try {
      release_shared_rootfs(*shared_mount_ns_);
    } catch (...) {
    }
  }
  if (cgroup_) {
    try {
      cgroup_->destroy();
    } catch (...) {
    }
  }
  try {
    policy::remove_egress_pin(egress_pin_);
  } catch (...) {
  }
  try {
    store_.remove(id_);
  } catch (...) {
  }
}

void attach_egress_filter(const Context& ctx, ContainerEgress& egress, const cgroups::Manager* cgroup,
                          ContainerRecord& rec, CreateRollback& rollback) {
  auto start = std::chrono::steady_clock::now();
  attach_container_egress(egress, rec.id, cgroup, [&](const nlohmann::json& network) {
    rec.agent_policy["network"] = network;
    ctx.store.save(rec);
    if (network.contains("statsMap")) rollback.set_egress_pin(network.at("statsMap"));
  });
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start);
  ctx.log.debug("egress filter attached in " + std::to_string(us.count()) + " us (two state saves included)");
}

std::string now_rfc3339() {
  timespec ts;
  ::clock_gettime(CLOCK_REALTIME, &ts);
  tm t;
  ::gmtime_r(&ts.tv_sec, &t);
  char buf[64];
  size_t n = ::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &t);
  ::snprintf(buf + n, sizeof buf - n, ".%09ldZ", ts.tv_nsec);
  return buf;
}

std::string user_name(uid_t uid) {
  try {
    if (auto text = fs::read_file_if_exists("/etc/passwd"))
      if (auto entry = find_passwd_entry(*text, uid)) return entry->name;
  } catch (const Error&) {
  }
  return std::to_string(uid);
}

oci::Resources with_default_devices(const std::optional<oci::Resources>& r) {
  oci::Resources out = r.value_or(oci::Resources{});
  for (auto& rule : default_device_rules()) out.devices.push_back(rule);
  return out;
}

UniqueFd claim_id(const Context& ctx, const std::string& id) {
  try {
    return ctx.store.create_locked(id);
  } catch (const Error& e) {
    if (e.error_number() != EEXIST) throw;
    UniqueFd leftover = ctx.store.try_lock(id);
    if (!leftover || !remove_interrupted_create(ctx, id)) throw;
    ctx.log.warn("removed what an interrupted create of " + id + " left behind");
  }
  return ctx.store.create_locked(id);
}

std::string cgroups_path_field(const cgroups::Config& cfg) {
  if (cfg.cgroups_path.empty()) return "linux.cgroupsPath (unset, so " + cgroups::inner_path(cfg) + ")";
  return "linux.cgroupsPath \"" + cfg.cgroups_path + "\"";
}

ContainerRecord new_container_record(const Context& ctx, const std::string& id, const ContainerConfig& cc,
                                     const cgroups::Manager* cgroup) {
  ContainerRecord rec;
  rec.id = id;
  rec.bundle = cc.bundle;
  rec.rootfs = cc.rootfs;
  rec.created = now_rfc3339();
  rec.owner = user_name(::geteuid());
  rec.annotations = cc.spec.annotations;
  rec.hooks = cc.raw.value("hooks", nlohmann::json());
  if (cgroup) rec.cgroup = cgroup->save();
  rec.agent_policy = cc.policy;
  rec.systemd_cgroup = ctx.systemd_cgroup;
  rec.phase = Phase::creating;
  rec.runtime_pid = ::getpid();
  if (auto self = read_proc_stat(rec.runtime_pid)) rec.runtime_start_time = self->start_time;
  return rec;
}

void commit_container_record(ContainerRecord& rec, pid_t pid, const cgroups::Manager* cgroup) {
  auto st = read_proc_stat(pid);
  if (!st) throw Error("container init " + std::to_string(pid) + " exited before its container was made");
  rec.pid = pid;
  rec.start_time = st->start_time;
  rec.pid_ns = container_pid_ns(pid);
  if (cgroup) rec.cgroup = cgroup->save();
  rec.phase = Phase::created;
  rec.runtime_pid = 0;
  rec.runtime_start_time = 0;
}

std::string creating_state_json(const std::string& id, pid_t pid, const std::string& bundle,
                                const oci::Spec& spec) {
  oci::State state;
  state.id = id;
  state.status = oci::Status::creating;
  state.pid = pid;
  state.bundle = bundle;
  state.annotations = spec.annotations;
  return oci::to_json(state).dump();
}

}  // namespace agentrt::runtime
