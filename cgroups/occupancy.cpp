#include "cgroups/occupancy.hpp"

#include "cgroups/cgroupfs.hpp"
#include "oci/support/error.hpp"
#include "oci/support/fs.hpp"

namespace agentrt::cgroups {

std::string describe_occupants(const std::vector<Occupant>& occupants) {
  constexpr size_t kShown = 5;
  std::string text;
  for (size_t i = 0; i < occupants.size() && i < kShown; ++i)
    text += (i ? ", " : "") + std::to_string(occupants[i].pid) + " " + occupants[i].command;
  if (occupants.size() > kShown) text += " and " + std::to_string(occupants.size() - kShown) + " more";
  return text;
}

std::optional<std::string> refusal(const std::string& path_in_hierarchy, const std::string& dir,
                                   const std::vector<Occupant>& occupants) {
  if (path_in_hierarchy.empty() || path_in_hierarchy == "/")
    return "cgroup " + dir + " is the root of the hierarchy: every process on the host is in it";
  if (occupants.empty()) return std::nullopt;
  return "cgroup " + dir + " already holds " + std::to_string(occupants.size()) + " process" +
         (occupants.size() == 1 ? "" : "es") + " (" + describe_occupants(occupants) +
         "): a container needs a new or empty cgroup";
}

std::vector<Occupant> occupants_of(const std::vector<pid_t>& pids) {
  std::vector<Occupant> out;
  for (pid_t pid : pids) {
    auto comm = fs::read_file_if_exists("/proc/" + std::to_string(pid) + "/comm");
    if (comm) out.push_back({pid, fs::trim(*comm)});
  }
  return out;
}

std::vector<Occupant> read_occupants(const std::string& dir) {
  return occupants_of(cgroupfs::read_procs(dir, true));
}

void check_takeable(const std::string& path_in_hierarchy, const std::string& dir) {
  auto why = refusal(path_in_hierarchy, dir,
                     path_in_hierarchy == "/" ? std::vector<Occupant>{} : read_occupants(dir));
  if (why) throw Error(*why, EBUSY);
}

}  // namespace agentrt::cgroups
