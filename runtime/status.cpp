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

bool phase_owner_alive(const ContainerRecord& r) {
  return r.phase != Phase::created && process_alive(r.runtime_pid, r.runtime_start_time);
}

nlohmann::json interruption(const ContainerRecord& r, bool owner_alive, oci::Status status) {
  if (r.phase == Phase::created || owner_alive) return nullptr;
  if (r.phase == Phase::creating)
    return {{"operation", "create"},
            {"reason", "the create was killed before it committed and nothing of it runs; delete -f " + r.id +
                           " or a new create " + r.id + " removes what it left"}};
  return {
      {"operation", "delete"},
      {"reason", status == oci::Status::paused
                     ? "a delete -f was killed while the container was frozen for it: it stays paused until "
                       "the next delete -f, which removes it"
                     : "a delete -f was killed half-way: the next delete -f removes the container"}};
}

oci::Status container_status(const StateStore& store, const Container& c) {
  // Until create commits there is no pid; while its agentrt runs the container is being created.
  if (c.rec.phase == Phase::creating && phase_owner_alive(c.rec)) return oci::Status::creating;
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
