#include "workspace/prepare.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include "oci/support/error.hpp"
#include "oci/support/fs.hpp"
#include "workspace/overlay_check.hpp"

namespace agentrt::workspace {

PreparedStore::~PreparedStore() {
  if (id_.empty()) return;
  try {
    store_.remove(id_);
  } catch (const Error&) {
    // Unwinding from the create's own error, which is the one to report.
  }
}

PreparedStore prepare_workspace(oci::Spec& spec, const Plan& plan, const std::string& id,
                                const std::string& created, const std::string& state_root) {
  if (plan.mounts.empty()) return {};
  std::string root = plan.store_dir.substr(0, plan.store_dir.rfind('/'));
  Store store(root);
  fs::mkdir_all(root, 0700);
  if (::mkdir(plan.store_dir.c_str(), 0700) < 0) {
    if (errno == EEXIST)
      throw Error("workspace store " + plan.store_dir + " exists (changes of an earlier container " + id +
                  "): commit or discard them first (agentrt workspace discard " + id + ")");
    throw sys_error("create workspace store " + plan.store_dir);
  }
  PreparedStore owned(store, id);
  store.make_reserve(id);
  Record rec{id, created, state_root, {}};
  for (const auto& m : plan.mounts) {
    MountRecord mr{m.destination, m.source, m.dir};
    struct stat st {};
    if (::stat(m.source.c_str(), &st) < 0)
      throw sys_error("workspace " + m.destination + ": source " + m.source);
    if (!S_ISDIR(st.st_mode))
      throw Error("workspace " + m.destination + ": source " + m.source + " is not a directory");
    for (const auto& d : {store.mount_dir(id, mr), store.upper(id, mr), store.work(id, mr)})
      if (::mkdir(d.c_str(), 0700) < 0) throw sys_error("create " + d);
    // The overlay's root takes its mode and owner from the upper directory: give it the host directory's.
    std::string upper = store.upper(id, mr);
    if (::chown(upper.c_str(), st.st_uid, st.st_gid) < 0 || ::chmod(upper.c_str(), st.st_mode & 07777) < 0)
      throw sys_error("give " + upper + " the mode and owner of " + m.source);
    try {
      store.save_baseline(id, mr, scan_tree(m.source));
    } catch (const Error& e) {
      throw e.wrap("workspace " + m.destination + ": record the host directory");
    }
    spec.mounts[m.mount_index] =
        overlay_mount(spec.mounts[m.mount_index], store.upper(id, mr), store.work(id, mr), m.source);
    check_overlay(spec.mounts[m.mount_index], m.source);
    rec.mounts.push_back(mr);
  }
  store.save(rec);
  return owned;
}

}  // namespace agentrt::workspace
