#include <signal.h>
#include <unistd.h>

#include "cgroups/occupancy.hpp"
#include "oci/parse.hpp"
#include "oci/support/error.hpp"
#include "oci/support/fault_point.hpp"
#include "runtime/audit_egress.hpp"
#include "runtime/container_egress.hpp"
#include "runtime/hooks.hpp"
#include "runtime/lifecycle.hpp"
#include "runtime/owned_processes.hpp"
#include "runtime/proc_info.hpp"
#include "runtime/shared_mount_ns.hpp"
#include "runtime/status.hpp"
#include "runtime/wait.hpp"

namespace agentrt::runtime {
namespace {

void stop_all(const Context& ctx, Container& c) {
  // Recorded first: if this delete is killed from here on (perhaps with the container frozen for the
  // kill), `state` says why and the next delete -f finishes it.
  c.rec.phase = Phase::deleting;
  c.rec.runtime_pid = ::getpid();
  auto self = read_proc_stat(c.rec.runtime_pid);
  c.rec.runtime_start_time = self ? self->start_time : 0;
  ctx.store.save(c.rec);
  fault_point("delete:marked");
  signal_container(c, SIGKILL, ctx.log);
  ::kill(c.rec.pid, SIGKILL);
  if (c.cgroup && c.cgroup->frozen()) c.cgroup->thaw();
  if (!wait_for_exit(c.rec.pid, c.rec.start_time, 10000))
    throw Error("container init " + std::to_string(c.rec.pid) + " did not exit after SIGKILL");
}

// Kills what is left in the cgroup of the container's own (children of an init without a pid namespace,
// what a killed create left); refuses, naming them, to go on while it holds processes that are not its.
void release_cgroup(const Context& ctx, const Container& c) {
  Ownership members = container_members(c);
  if (!members.foreign.empty())
    throw Error("cgroup " + c.cgroup->path() + " holds processes that are not container " + c.rec.id +
                    "'s (" + cgroups::describe_occupants(cgroups::occupants_of(members.foreign)) +
                    "): they were left alone; move them out of it, then delete again",
                EBUSY);
  if (!members.owned.empty()) signal_container(c, SIGKILL, ctx.log);
}

void destroy(const Context& ctx, Container& c) {
  release_cgroup(ctx, c);
  if (auto shared = shared_mount_ns_from_json(c.rec.shared_mount_ns)) {
    std::string warning = release_shared_rootfs(*shared);
    if (!warning.empty()) ctx.log.warn("delete " + c.rec.id + ": " + warning);
  }
  try {
    copy_egress_denials_to_audit(ctx.store.root(), ctx.store.dir(c.rec.id), c.rec.id, c.rec.agent_policy);
  } catch (const Error& e) {
    ctx.log.warn("delete " + c.rec.id + ": egress denials not copied to the audit trail: " + e.what());
  }
  if (c.cgroup) c.cgroup->destroy();
  remove_container_egress(c.rec.agent_policy);
  oci::Hooks hooks;
  try {
    hooks = oci::parse_hooks(c.rec.hooks);
  } catch (const Error& e) {
    ctx.log.warn("delete " + c.rec.id + ": " + e.what());
  }
  // A create that never committed runs no poststop hooks, as a create that fails does not.
  if (!hooks.poststop.empty() && c.rec.phase != Phase::creating) {
    oci::State st = oci_state(ctx.store, c);
    st.status = oci::Status::stopped;
    st.pid = 0;
    run_hooks(hooks.poststop, oci::to_json(st).dump(), "poststop", false, ctx.log);
  }
  ctx.store.remove(c.rec.id);
}

}  // namespace

bool remove_interrupted_create(const Context& ctx, const std::string& id) {
  if (!ctx.store.exists(id)) {
    // Killed between making the directory and saving the intent: nothing else was made yet.
    ctx.store.remove(id);
    return true;
  }
  Container c = open_container(ctx.store, id);
  if (c.rec.phase != Phase::creating) return false;
  destroy(ctx, c);
  return true;
}

void delete_container(const Context& ctx, const std::string& id, bool force) {
  UniqueFd lock;
  try {
    lock = ctx.store.lock(id);
  } catch (const Error& e) {
    // --force makes delete idempotent, as engines rely on for cleanup (runc exits 0 too).
    if (force && e.error_number() == ENOENT) return;
    throw;
  }
  if (!ctx.store.exists(id)) {
    // A directory without state.json is what a create killed before its first save leaves.
    if (!force) throw Error("container does not exist");
    ctx.store.remove(id);
    return;
  }
  Container c = open_container(ctx.store, id);
  oci::Status status = container_status(ctx.store, c);
  switch (status) {
    case oci::Status::stopped:
      break;
    case oci::Status::created:
      stop_all(ctx, c);
      break;
    default:
      if (!force)
        throw Error("cannot delete container " + id + " that is not stopped: " + oci::to_string(status));
      stop_all(ctx, c);
  }
  destroy(ctx, c);
}

}  // namespace agentrt::runtime
