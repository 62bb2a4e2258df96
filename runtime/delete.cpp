#include <signal.h>

#include "oci/parse.hpp"
#include "oci/support/error.hpp"
#include "runtime/hooks.hpp"
#include "runtime/lifecycle.hpp"
#include "runtime/status.hpp"
#include "runtime/wait.hpp"

namespace agentrt::runtime {
namespace {

void stop_all(Container& c) {
  if (c.cgroup) c.cgroup->kill_all(SIGKILL);
  ::kill(c.rec.pid, SIGKILL);
  if (c.cgroup && c.cgroup->frozen()) c.cgroup->thaw();
  if (!wait_for_exit(c.rec.pid, c.rec.start_time, 10000))
    throw Error("container init " + std::to_string(c.rec.pid) + " did not exit after SIGKILL");
}

void destroy(const Context& ctx, Container& c) {
  if (c.cgroup) c.cgroup->destroy();
  oci::Hooks hooks;
  try {
    hooks = oci::parse_hooks(c.rec.hooks);
  } catch (const Error& e) {
    ctx.log.warn("delete " + c.rec.id + ": " + e.what());
  }
  if (!hooks.poststop.empty()) {
    oci::State st = oci_state(ctx.store, c);
    st.status = oci::Status::stopped;
    st.pid = 0;
    run_hooks(hooks.poststop, oci::to_json(st).dump(), "poststop", false, ctx.log);
  }
  ctx.store.remove(c.rec.id);
}

}  // namespace

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
    // A directory without state.json is what a killed create leaves: only --force clears it.
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
      stop_all(c);
      break;
    default:
      if (!force)
        throw Error("cannot delete container " + id + " that is not stopped: " + oci::to_string(status));
      stop_all(c);
  }
  destroy(ctx, c);
}

}  // namespace agentrt::runtime
