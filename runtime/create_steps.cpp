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
#include "runtime/passwd.hpp"

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

}  // namespace agentrt::runtime
