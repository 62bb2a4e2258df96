#include "runtime/status.hpp"

#include "oci/support/fs.hpp"
#include "runtime/proc_info.hpp"

namespace agentrt::runtime {

Container open_container(const StateStore& store, const std::string& id) {
  Container c;
  c.rec = store.load(id);
  if (!c.rec.cgroup.is_null()) c.cgroup = cgroups::load_manager(c.rec.cgroup);
  return c;
}

oci::Status container_status(const StateStore& store, const Container& c) {
  if (!process_alive(c.rec.pid, c.rec.start_time)) return oci::Status::stopped;
  // A frozen cgroup reads as paused even before start, as runc reports it.
  if (c.cgroup && c.cgroup->frozen()) return oci::Status::paused;
  if (fs::exists(store.fifo_path(c.rec.id))) return oci::Status::created;
  return oci::Status::running;
}

oci::State oci_state(const StateStore& store, const Container& c) {
  oci::State s;
  s.id = c.rec.id;
  s.status = container_status(store, c);
  s.pid = s.status == oci::Status::stopped ? 0 : c.rec.pid;
  s.bundle = c.rec.bundle;
  s.annotations = c.rec.annotations;
  return s;
}

}  // namespace agentrt::runtime
