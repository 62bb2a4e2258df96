#include <signal.h>

#include "oci/support/error.hpp"
#include "runtime/lifecycle.hpp"
#include "runtime/owned_processes.hpp"
#include "runtime/status.hpp"

namespace agentrt::runtime {

void kill_container(const Context& ctx, const std::string& id, int signal, bool all) {
  UniqueFd lock = ctx.store.lock(id);
  Container c = open_container(ctx.store, id);
  oci::Status status = container_status(ctx.store, c);
  if (status == oci::Status::stopped && !all) throw Error("container not running");
  if (all) {
    signal_container(c, signal, ctx.log);
  } else if (::kill(c.rec.pid, signal) < 0) {
    throw sys_error("kill container init " + std::to_string(c.rec.pid));
  }
  // A frozen process only acts on SIGKILL once thawed (cgroup v1 freezer).
  if (status == oci::Status::paused && signal == SIGKILL && c.cgroup) c.cgroup->thaw();
}

}  // namespace agentrt::runtime
