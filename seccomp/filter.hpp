#pragma once
// OCI LinuxSeccomp -> compiled BPF program, and loading it in the container process.
#include <linux/filter.h>

#include <string>
#include <vector>

#include "oci/spec.hpp"

namespace agentrt::seccomp {

struct Program {
  std::vector<sock_filter> insns;
  unsigned flags = 0;           // SECCOMP_FILTER_FLAG_* for seccomp(2)
  bool wants_listener = false;  // some rule uses SCMP_ACT_NOTIFY
};

// Compiles (or fetches from the compiled-BPF cache under cache_dir, when not empty) the filter for `s`.
// Warnings (e.g. syscall names unknown to libseccomp) are appended to `warnings`.
Program compile(const oci::Seccomp& s, std::vector<std::string>& warnings, const std::string& cache_dir = "");

// Loads the program into the calling thread with seccomp(2). Returns the notify listener fd when
// wants_listener, else -1. Must be called after no_new_privs or with CAP_SYS_ADMIN.
int install(const Program& p);

}  // namespace agentrt::seccomp
