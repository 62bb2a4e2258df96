#pragma once
// OCI LinuxSeccomp -> compiled BPF program, and loading it in the container process.
#include <linux/filter.h>

#include <optional>
#include <string>
#include <vector>

#include "oci/spec.hpp"

namespace agentrt::seccomp {

struct Program {
  std::vector<sock_filter> insns;
  // Stacked layering: the agent floor as a second filter, loaded after `insns` with the same flags (but no
  // listener). Empty when the floor is merged into `insns`.
  std::vector<sock_filter> floor_insns;
  unsigned flags = 0;           // SECCOMP_FILTER_FLAG_* for seccomp(2)
  bool wants_listener = false;  // some rule of either layer uses SCMP_ACT_NOTIFY
};

// Compiles (or fetches from the compiled-BPF cache under cache_dir, when not empty) the filter for `s`.
// Warnings (e.g. syscall names unknown to libseccomp) are appended to `warnings`.
Program compile(const oci::Seccomp& s, std::vector<std::string>& warnings, const std::string& cache_dir = "");

// compile() for the filter and, when the floor is stacked, the floor filter into floor_insns.
Program compile_layers(const oci::Seccomp& s, const std::optional<oci::Seccomp>& floor,
                       std::vector<std::string>& warnings, const std::string& cache_dir = "");

// Loads the program (then floor_insns, if any) into the calling thread with seccomp(2). Returns the notify
// listener fd (of whichever layer notifies) when wants_listener, else -1. Must be called after no_new_privs
// or with CAP_SYS_ADMIN.
int install(const Program& p);

}  // namespace agentrt::seccomp
