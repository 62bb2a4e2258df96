#include "runtime/credentials.hpp"

#include <grp.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <memory>

#include "oci/parse.hpp"
#include "oci/support/error.hpp"

namespace agentrt::runtime {
namespace {

bool contains(const std::vector<int>& v, int cap) {
  return std::find(v.begin(), v.end(), cap) != v.end();
}

void set_flag(cap_t c, cap_flag_t flag, const std::vector<int>& caps) {
  if (caps.empty()) return;
  std::vector<cap_value_t> values(caps.begin(), caps.end());
  if (cap_set_flag(c, flag, static_cast<int>(values.size()), values.data(), CAP_SET) < 0)
    throw sys_error("set capability flags");
}

}  // namespace

void drop_bounding_set(const oci::Capabilities& caps) {
  int last = static_cast<int>(cap_max_bits()) - 1;
  for (int cap = 0; cap <= last; ++cap) {
    if (contains(caps.bounding, cap)) continue;
    if (cap_drop_bound(static_cast<cap_value_t>(cap)) < 0 && errno != EINVAL)
      throw sys_error("drop capability " + std::to_string(cap) + " from the bounding set");
  }
}

GroupsPlan plan_groups(const oci::User& user, bool caller_unprivileged) {
  if (!caller_unprivileged) return {true, {user.additional_gids.begin(), user.additional_gids.end()}};
  if (!user.additional_gids.empty())
    throw Error(
        "process.user.additionalGids: cannot set any additional groups in a rootless container (agentrt "
        "runs without root)");
  return {false, {}};
}

void switch_user(const oci::User& user, bool in_user_ns, bool caller_unprivileged) {
  GroupsPlan plan = plan_groups(user, caller_unprivileged);
  if (::prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0) throw sys_error("prctl PR_SET_KEEPCAPS");
  if (plan.call_setgroups && ::setgroups(plan.groups.size(), plan.groups.data()) < 0) {
    // In a user namespace whose setgroups is denied only an empty list would do; report anything else.
    if (!(in_user_ns && errno == EPERM && plan.groups.empty())) throw sys_error("setgroups");
  }
  if (::setresgid(user.gid, user.gid, user.gid) < 0) throw sys_error("setgid " + std::to_string(user.gid));
  if (::setresuid(user.uid, user.uid, user.uid) < 0) throw sys_error("setuid " + std::to_string(user.uid));
  if (::prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0) throw sys_error("prctl PR_SET_KEEPCAPS");
}

void apply_capabilities(const oci::Capabilities& caps, const Logger& log) {
  std::unique_ptr<std::remove_pointer_t<cap_t>, int (*)(void*)> c(cap_init(), cap_free);
  if (!c) throw sys_error("cap_init");
  set_flag(c.get(), CAP_EFFECTIVE, caps.effective);
  set_flag(c.get(), CAP_PERMITTED, caps.permitted);
  set_flag(c.get(), CAP_INHERITABLE, caps.inheritable);
  if (cap_set_proc(c.get()) < 0) throw sys_error("set process capabilities");
  if (cap_reset_ambient() < 0 && errno != EINVAL) throw sys_error("reset ambient capabilities");
  for (int cap : caps.ambient) {
    if (cap_set_ambient(static_cast<cap_value_t>(cap), CAP_SET) == 0) continue;
    // The kernel never raises an ambient cap outside the inheritable set, and runc's default spec asks for
    // exactly that: like runc, the container runs and only --debug says so. Any other refusal is a warning.
    const bool inheritable = contains(caps.inheritable, cap);
    const std::string msg = "can't raise ambient capability " + oci::capability_name(cap) + ": " +
                            std::strerror(errno) + (inheritable ? "" : " (not in the inheritable set)");
    if (inheritable)
      log.warn(msg);
    else
      log.debug(msg);
  }
}

}  // namespace agentrt::runtime
