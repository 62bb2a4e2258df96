#pragma once
// Whether a container gets a cgroup when agentrt runs rootless or with --cgroup-manager disabled, as runc
// decides for an unprivileged caller: a cgroup when the caller can make one (root, or a delegated cgroup v2
// subtree); none when it cannot and the config asks no limits; a clear error naming the first limit asked
// when it cannot. decide_cgroup is pure; delegation_problem looks at the cgroup tree.
#include <optional>
#include <string>
#include <vector>

#include "cgroups/manager.hpp"
#include "oci/spec.hpp"

namespace agentrt::runtime {

// The spec fields of the limits a config asks for ("linux.resources.pids.limit" ...), in plan order and
// without duplicates. Device rules are left out: without a cgroup the user namespace already keeps the
// container from creating device nodes, and runc ignores them for rootless containers too.
std::vector<std::string> requested_limits(const std::optional<oci::Resources>& r, cgroups::Layout layout);

struct CgroupDecision {
  bool use = true;
  std::string reason;  // why there is no cgroup, for --debug
};

struct CgroupSituation {
  bool rootless = false;
  bool disabled = false;           // --cgroup-manager disabled
  std::string delegation_problem;  // "" when the caller may create the container's cgroup
};

// Throws an Error "<field>: cannot set this limit ..." naming the first asked limit when there can be no
// cgroup.
CgroupDecision decide_cgroup(const CgroupSituation& s, const std::vector<std::string>& limits);

// "" when the caller can create and fill the cgroup at dir (a cgroup2 directory, not yet made): the nearest
// existing ancestor is writable with its cgroup.procs and cgroup.subtree_control. Otherwise why not.
std::string delegation_problem(cgroups::Layout layout, const std::string& dir);

}  // namespace agentrt::runtime
