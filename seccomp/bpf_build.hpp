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

std::vector<sock_filter> build_bpf(const RuleSet& r, std::vector<std::string>& warnings);

}  // namespace agentrt::seccomp
