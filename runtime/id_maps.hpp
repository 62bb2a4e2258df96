#pragma once
// Writing a new user namespace's uid_map and gid_map from the runtime (the parent). Root writes them
// directly. An unprivileged caller may write only a one-id map of its own uid / gid, and only after
// denying setgroups for a gid map; anything wider goes through the setuid newuidmap / newgidmap tools
// (package uidmap), which check /etc/subuid and /etc/subgid. The init stays dumpable until the maps are
// written: otherwise its /proc files belong to root and neither path can open them.
#include <sys/types.h>

#include <string>
#include <vector>

#include "oci/spec.hpp"
#include "runtime/rootless.hpp"

namespace agentrt::runtime {

enum class MapMethod { direct, tool };

struct IdMapPlan {
  MapMethod uid = MapMethod::direct;
  MapMethod gid = MapMethod::direct;
  bool deny_setgroups = false;  // written before a direct gid_map by an unprivileged caller
};

// Pure: how the caller (with its effective ids in r) can write linux.uidMappings / gidMappings.
IdMapPlan plan_id_maps(const Rootless& r, const oci::Linux& linux);

// "0 1000 1\n1 300000 65536\n" for /proc/<pid>/uid_map; {"0","1000","1","1","300000","65536"} for the tools.
std::string id_map_text(const std::vector<oci::IdMapping>& maps);
std::vector<std::string> id_map_tool_args(const std::vector<oci::IdMapping>& maps);

// Writes both maps of pid; an error names the field, the method (the file or the tool with its exit status
// and message) and the errno text.
void write_id_maps(pid_t pid, const oci::Linux& linux, const IdMapPlan& plan);

}  // namespace agentrt::runtime
