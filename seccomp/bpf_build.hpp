#pragma once
// RuleSet -> classic BPF through libseccomp. The only file that builds libseccomp filters.
#include <linux/filter.h>

#include <string>
#include <vector>

#include "seccomp/ruleset.hpp"

namespace agentrt::seccomp {

// Syscalls numbered above the highest one the rules name (up to this ceiling) get ENOSYS, so a newer libc
// falls back to older calls instead of failing with the default errno.
constexpr int kEnosysCeiling = 511;

// libseccomp's binary-tree layout (SCMP_FLTATR_CTL_OPTIMIZE 2) instead of one linear chain of comparisons per
// architecture. For Docker's profile it is 1252 instructions instead of 1003, yet the kernel loads it in 0.8
// ms instead of 1.4-1.8 here (the JIT handles short jumps far better than a chain of jumps to the end), and
// every container start and exec loads one. Evaluation cost per syscall measured the same (the kernel's
// action cache).
constexpr int kOptimizeLevel = 2;

std::vector<sock_filter> build_bpf(const RuleSet& r, std::vector<std::string>& warnings);

}  // namespace agentrt::seccomp
