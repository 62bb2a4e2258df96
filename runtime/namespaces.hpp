#pragma once
// Which namespaces the container gets, and how: created at clone, unshared later, or joined by path.
#include <string>
#include <vector>

#include "oci/spec.hpp"

namespace agentrt::runtime {

int clone_flag(oci::NamespaceType t);
// Name under /proc/<pid>/ns/ ("net" for network, "mnt" for mount ...).
const char* proc_ns_name(oci::NamespaceType t);

struct NamespacePlan {
  unsigned long clone_flags = 0;  // new namespaces created by clone3 (user, mnt, uts, ipc, net, pid)
  bool unshare_cgroup = false;    // new cgroup ns: the init unshares after joining its cgroup
  bool new_time = false;          // new time ns: the parent unshares and writes offsets before clone
  std::vector<oci::Namespace>
      join_parent;  // joined by the parent before clone (pid, net, ipc, uts, cgroup, time)
  std::vector<oci::Namespace> join_child;  // joined by the init (user first, then mount)
};

// Pure: the spec's namespaces -> plan. Throws for settings that cannot work (time offsets without a new time
// ns).
NamespacePlan plan_namespaces(const oci::Linux& linux);

// Performs setns for each entry (opening its path); errors name the namespace and path.
void join_namespaces(const std::vector<oci::Namespace>& ns);

}  // namespace agentrt::runtime
