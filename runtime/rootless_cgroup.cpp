#include "runtime/rootless_cgroup.hpp"

#include <unistd.h>

#include <algorithm>

#include "cgroups/plan.hpp"
#include "oci/support/error.hpp"
#include "oci/support/fs.hpp"

namespace agentrt::runtime {

std::vector<std::string> requested_limits(const std::optional<oci::Resources>& r, cgroups::Layout layout) {
  std::vector<std::string> fields;
  if (!r) return fields;
  oci::Resources limits = *r;
  limits.devices.clear();
  cgroups::Plan plan =
      layout == cgroups::Layout::unified ? cgroups::plan_v2(limits) : cgroups::plan_v1(limits);
  for (const auto& w : plan.writes)
    if (std::find(fields.begin(), fields.end(), w.resource) == fields.end()) fields.push_back(w.resource);
  return fields;
}

CgroupDecision decide_cgroup(const CgroupSituation& s, const std::vector<std::string>& limits) {
  std::string why;
  if (s.disabled)
    why = "--cgroup-manager disabled gives the container no cgroup";
  else if (!s.rootless || s.delegation_problem.empty())
    return {};
  else
    why = "rootless and " + s.delegation_problem;
  if (!limits.empty())
    throw Error(limits.front() +
                ": cannot set this limit: the container could not create or join a cgroup (" + why + ")");
  return {false, "no cgroup for the container: " + why};
}

std::string delegation_problem(cgroups::Layout layout, const std::string& dir) {
  if (layout != cgroups::Layout::unified)
    return std::string("cgroups are ") + cgroups::to_string(layout) +
           " (v1 hierarchies cannot be delegated to an unprivileged user)";
  std::string parent = dir;
  while (!fs::exists(parent) && parent.size() > 1) parent = parent.substr(0, parent.find_last_of('/'));
  for (const std::string& path :
       {parent, fs::join(parent, "cgroup.procs"), fs::join(parent, "cgroup.subtree_control")})
    if (::access(path.c_str(), W_OK) < 0)
      return "no delegated cgroup v2 subtree (" + path + " is not writable by uid " +
             std::to_string(::geteuid()) + ")";
  return "";
}

}  // namespace agentrt::runtime
