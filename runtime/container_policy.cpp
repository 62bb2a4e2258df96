#include "runtime/container_policy.hpp"

#include <sys/stat.h>

#include "oci/support/error.hpp"
#include "oci/support/fs.hpp"
#include "policy/landlock_apply.hpp"
#include "runtime/exec_path.hpp"
#include "runtime/passwd.hpp"

namespace agentrt::runtime {
namespace {

// $HOME of the process as the container will see it: its env, else its user's entry in the rootfs's
// /etc/passwd, else "" (no home to allow).
std::string process_home(const oci::Process& proc, const std::string& rootfs) {
  if (const std::string* home = env_value(proc.env, "HOME")) return home->substr(5);  // "HOME=..."
  try {
    if (auto text = fs::read_file_if_exists(rootfs + "/etc/passwd"))
      if (auto entry = find_passwd_entry(*text, proc.user.uid)) return entry->home;
  } catch (const Error&) {
  }
  return "";
}

// The container's loopback is exempt from the egress list (none included) only in a network namespace that is
// not the host's: the container's new one, or one given by path (a pod's) unless that is the runtime's own.
bool has_own_netns(const oci::Spec& spec) {
  const oci::Namespace* ns = spec.linux ? spec.linux->find_namespace(oci::NamespaceType::network) : nullptr;
  if (!ns) return false;
  if (ns->path.empty()) return true;
  struct stat theirs, ours;
  if (::stat(ns->path.c_str(), &theirs) < 0 || ::stat("/proc/self/ns/net", &ours) < 0) return false;
  return theirs.st_ino != ours.st_ino || theirs.st_dev != ours.st_dev;
}

}  // namespace

ContainerPolicy plan_container_policy(const Context& ctx, const oci::Spec& spec, policy::Profile profile,
                                      const std::string& rootfs, const std::string& config_path) {
  policy::ProfileDefaults defaults;
  if (profile == policy::Profile::agent_locked && spec.process) {
    defaults.set = true;
    defaults.profile = "profile agent-locked";
    defaults.fs_write = policy::locked_write_paths(spec.process->cwd, process_home(*spec.process, rootfs));
    defaults.egress = "none";
    defaults.audit = true;
  }
  policy::Settings settings =
      policy::resolve_settings(spec.annotations, ctx.policy_flags, defaults, config_path);
  ContainerPolicy out;
  out.audit = policy::audit_on(settings);
  out.audit_source = settings.audit.source;
  policy::PrivateNamespaces own;
  if (spec.linux)
    for (const auto& ns : spec.linux->namespaces) {
      // A namespace given by path is someone else's (a pod's): it may hold processes outside the container.
      if (!ns.path.empty()) continue;
      own.pid |= ns.type == oci::NamespaceType::pid;
      own.net |= ns.type == oci::NamespaceType::network;
    }
  out.landlock = policy::plan_landlock(settings, policy::landlock_abi(), own);
  if (out.landlock) out.filesystem = out.landlock->to_json();
  if (settings.egress.set) {
    out.egress = plan_container_egress(settings.egress, spec, rootfs, has_own_netns(spec));
    out.network = out.egress->record;
  }
  return out;
}

std::optional<policy::LandlockPlan> recorded_landlock(const nlohmann::json& agent_policy) {
  if (!agent_policy.is_object() || !agent_policy.contains("filesystem")) return std::nullopt;
  return policy::LandlockPlan::from_json(agent_policy.at("filesystem"));
}

}  // namespace agentrt::runtime
