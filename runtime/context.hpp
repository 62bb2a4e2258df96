#pragma once
// What every lifecycle operation needs from the global flags.
#include <string>

#include "runtime/log.hpp"
#include "runtime/state_store.hpp"

namespace agentrt::runtime {

struct Context {
  StateStore store{"/run/agentrt"};
  Logger log;
  std::string profile_flag;  // --profile (agent policy), may be empty
  bool systemd_cgroup = false;
  std::string criu;  // --criu: the criu binary for checkpoint/restore (empty: criu in PATH)
};

}  // namespace agentrt::runtime
