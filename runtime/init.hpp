#pragma once
// The container's init: the child side of create. It runs in the new namespaces, sets up the rootfs and the
// process, reports `ready`, blocks on the exec fifo until `start`, then execs the user process.
#include <optional>
#include <string>
#include <vector>

#include "oci/spec.hpp"
#include "policy/landlock_plan.hpp"
#include "runtime/log.hpp"
#include "runtime/namespaces.hpp"
#include "seccomp/filter.hpp"

namespace agentrt::runtime {

struct InitConfig {
  const oci::Spec* spec = nullptr;
  std::string rootfs;
  std::string bundle;
  NamespacePlan namespaces;
  int sync_fd = -1;     // this side of the handshake socket
  int fifo_fd = -1;     // O_PATH fd of exec.fifo, reopened for writing after pivot_root
  int console_fd = -1;  // connected console socket, when process.terminal
  int preserve_fds = 0;
  std::vector<std::string>
      cgroup_self_join;  // v1 `tasks` files the init writes "0" to (see cgroups::Manager)
  bool no_pivot = false;
  bool shared_mount_ns =
      false;  // no mount namespace of its own: chroot in the caller's (shared_mount_ns.hpp)
  bool no_new_keyring = false;
  bool caller_unprivileged = false;  // the runtime runs with euid != 0: groups as plan_groups says
  std::string id;
  std::optional<seccomp::Program> seccomp;
  std::optional<policy::LandlockPlan> landlock;  // applied after the rootfs is final
  Logger log;
};

[[noreturn]] void run_init(const InitConfig& cfg);

}  // namespace agentrt::runtime
