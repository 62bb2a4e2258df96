#include "runtime/namespaces.hpp"

#include <fcntl.h>
#include <sched.h>

#include <algorithm>

#include "oci/support/error.hpp"
#include "oci/support/unique_fd.hpp"

namespace agentrt::runtime {

using oci::NamespaceType;

int clone_flag(NamespaceType t) {
  switch (t) {
    case NamespaceType::pid:
      return CLONE_NEWPID;
    case NamespaceType::network:
      return CLONE_NEWNET;
    case NamespaceType::mount:
      return CLONE_NEWNS;
    case NamespaceType::ipc:
      return CLONE_NEWIPC;
    case NamespaceType::uts:
      return CLONE_NEWUTS;
    case NamespaceType::user:
      return CLONE_NEWUSER;
    case NamespaceType::cgroup:
      return CLONE_NEWCGROUP;
    case NamespaceType::time:
      return CLONE_NEWTIME;
  }
  return 0;
}

const char* proc_ns_name(NamespaceType t) {
  switch (t) {
    case NamespaceType::pid:
      return "pid";
    case NamespaceType::network:
      return "net";
    case NamespaceType::mount:
      return "mnt";
    case NamespaceType::ipc:
      return "ipc";
    case NamespaceType::uts:
      return "uts";
    case NamespaceType::user:
      return "user";
    case NamespaceType::cgroup:
      return "cgroup";
    case NamespaceType::time:
      return "time";
  }
  return "";
}

NamespacePlan plan_namespaces(const oci::Linux& linux) {
  NamespacePlan plan;
  for (const auto& ns : linux.namespaces) {
    if (!ns.path.empty()) {
      // The parent joins what only affects its future children (pid, time) or does not change how it sees
      // files; user and mount must be joined by the init itself.
      if (ns.type == NamespaceType::user || ns.type == NamespaceType::mount)
        plan.join_child.push_back(ns);
      else
        plan.join_parent.push_back(ns);
      continue;
    }
    switch (ns.type) {
      case NamespaceType::cgroup:
        plan.unshare_cgroup = true;
        break;
      case NamespaceType::time:
        plan.new_time = true;
        break;
      default:
        plan.clone_flags |= static_cast<unsigned long>(clone_flag(ns.type));
    }
  }
  // The user namespace goes first so the others are owned by it.
  std::stable_partition(plan.join_child.begin(), plan.join_child.end(),
                        [](const oci::Namespace& n) { return n.type == NamespaceType::user; });
  if (!linux.time_offsets.empty() && !plan.new_time)
    throw Error("linux.timeOffsets: requires a new time namespace");
  if ((!linux.uid_mappings.empty() || !linux.gid_mappings.empty()) && !(plan.clone_flags & CLONE_NEWUSER))
    throw Error("linux.uidMappings: requires a new user namespace");
  if ((plan.clone_flags & CLONE_NEWUSER) && (linux.uid_mappings.empty() || linux.gid_mappings.empty()))
    throw Error("linux.uidMappings: a new user namespace needs uidMappings and gidMappings");
  return plan;
}

void join_namespaces(const std::vector<oci::Namespace>& list) {
  for (const auto& ns : list) {
    UniqueFd fd(::open(ns.path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) throw sys_error(std::string("open ") + oci::to_string(ns.type) + " namespace " + ns.path);
    if (::setns(fd.get(), clone_flag(ns.type)) < 0)
      throw sys_error(std::string("join ") + oci::to_string(ns.type) + " namespace " + ns.path);
  }
}

}  // namespace agentrt::runtime
