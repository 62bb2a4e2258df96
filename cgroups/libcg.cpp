#include "cgroups/libcg.hpp"

#include <libcgroup.h>

#include <memory>

#include "oci/support/error.hpp"

namespace agentrt::cgroups {
namespace {

struct CgroupFree {
  void operator()(cgroup* cg) const { cgroup_free(&cg); }
};
using CgroupPtr = std::unique_ptr<cgroup, CgroupFree>;

std::string strip_slash(const std::string& p) {
  size_t i = p.find_first_not_of('/');
  return i == std::string::npos ? std::string() : p.substr(i);
}

CgroupPtr make(const std::string& path, const std::vector<std::string>& controllers) {
  CgroupPtr cg(cgroup_new_cgroup(strip_slash(path).c_str()));
  if (!cg) throw Error("libcgroup: cannot allocate cgroup " + path);
  for (const auto& c : controllers)
    if (!cgroup_add_controller(cg.get(), c.c_str())) throw Error("libcgroup: cannot add controller " + c);
  return cg;
}

Error lib_error(const std::string& what, int rc) {
  int err = cgroup_get_last_errno();
  if (rc == ECGOTHER && err != 0) return sys_error(what, err);
  // ECGOTHER's text is strerror(last errno), which reads "Success" when libcgroup failed without setting one.
  if (rc == ECGOTHER) return Error(what + ": libcgroup failed without an errno (ECGOTHER)");
  return Error(what + ": " + cgroup_strerror(rc), err);
}

}  // namespace

void LibCgroup::init() {
  // libcgroup's tables are process-global, so is the record that they are filled (`run` creates and
  // deletes through two managers). Concurrent first calls are serialised by the static's initialisation.
  static const int rc = cgroup_init();
  if (rc != 0)
    throw lib_error("libcgroup init (from /proc/cgroups, /proc/mounts and each cgroup2 mount)", rc);
}

void LibCgroup::create(const std::string& path, const std::vector<std::string>& controllers) {
  init();
  auto cg = make(path, controllers);
  // ignore_ownership=1: libcgroup would otherwise chown and chmod every file of every new directory
  // (about 140 chown calls on a v1 host) to the owner it already has, root.
  int rc = cgroup_create_cgroup(cg.get(), 1);
  if (rc != 0) throw lib_error("create cgroup " + path, rc);
}

void LibCgroup::attach(const std::string& path, const std::vector<std::string>& controllers, pid_t pid) {
  init();
  auto cg = make(path, controllers);
  int rc = cgroup_attach_task_pid(cg.get(), pid);
  if (rc != 0) throw lib_error("add pid " + std::to_string(pid) + " to cgroup " + path, rc);
}

int LibCgroup::set(const std::string& path, const std::string& controller, const std::string& file,
                   const std::string& value) {
  init();
  auto cg = make(path, {controller});
  cgroup_controller* c = cgroup_get_controller(cg.get(), controller.c_str());
  if (cgroup_add_value_string(c, file.c_str(), value.c_str()) != 0) return EINVAL;
  int rc = cgroup_modify_cgroup(cg.get());
  if (rc == 0) return 0;
  if (rc == ECGROUPVALUENOTEXIST) return ENOENT;
  int err = cgroup_get_last_errno();
  return err != 0 ? err : EIO;
}

void LibCgroup::remove_if_empty(const std::string& path, const std::vector<std::string>& controllers) {
  init();
  auto cg = make(path, controllers);
  int rc = cgroup_delete_cgroup_ext(cg.get(), CGFLAG_DELETE_EMPTY_ONLY);
  if (rc != 0 && rc != ECGROUPNOTEXIST) throw lib_error("remove cgroup " + path, rc);
}

}  // namespace agentrt::cgroups
