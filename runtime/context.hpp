#pragma once
// What every lifecycle operation needs from the global flags.
#include <string>

#include "policy/settings.hpp"
#include "runtime/log.hpp"
#include "runtime/rootless.hpp"
#include "runtime/state_store.hpp"

namespace agentrt::runtime {

struct Context {
  StateStore store{"/run/agentrt"};
  Logger log;
  std::string profile_flag;  // --profile (agent policy), may be empty
  bool systemd_cgroup = false;
  policy::SettingFlags policy_flags;  // --fs-write, --fs-read, --egress
  bool cgroups_disabled = false;      // --cgroup-manager disabled: the container gets no cgroup
  Rootless rootless;                  // decided once at start-up (rootless.hpp)
  std::string workspace_flag;         // --workspace: destinations to review
  std::string workspace_store;        // --workspace-store, may be empty (workspace::store_root resolves it)
  std::string criu;                   // --criu: the criu binary for checkpoint/restore (empty: criu in PATH)
};

}  // namespace agentrt::runtime
