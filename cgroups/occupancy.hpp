#pragma once
// Whether a container may take a cgroup: only a new or empty one, never a hierarchy's root. kill --all and
// delete -f signal what is in the container's cgroup, so a cgroup that already holds host processes (or the
// root, which holds them all) would make them the container's. runc 1.2 refuses a non-empty cgroup too.
#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

namespace agentrt::cgroups {

// A process found in a cgroup: its pid and command name (/proc/<pid>/comm).
struct Occupant {
  pid_t pid = 0;
  std::string command;
};

// "1234 sleep, 1240 sh" (at most five, then "and N more").
std::string describe_occupants(const std::vector<Occupant>& occupants);

// The reason the cgroup at dir (path_in_hierarchy inside its hierarchy) cannot be a container's, given
// the processes in it and its sub-cgroups; nullopt when it can.
std::optional<std::string> refusal(const std::string& path_in_hierarchy, const std::string& dir,
                                   const std::vector<Occupant>& occupants);

// The processes in dir and its sub-cgroups, with their command names (empty when dir does not exist).
std::vector<Occupant> read_occupants(const std::string& dir);
// The processes among pids, with their command names (those that exited meanwhile are left out).
std::vector<Occupant> occupants_of(const std::vector<pid_t>& pids);

// Throws the refusal, if any, for an existing cgroup directory.
void check_takeable(const std::string& path_in_hierarchy, const std::string& dir);

}  // namespace agentrt::cgroups
