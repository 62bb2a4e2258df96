#pragma once
// build_bpf() in a child process that must finish within a deadline.
//
// Why: libseccomp 2.5.4 (Debian 12) never returns from seccomp_rule_add for some rule sets of one syscall
// (four ALLOW rules on read: A1&1==0; A1==2,A0>=0,A5<=2; A0>0,A4<=2; then A0>=0,A5>=2 spins forever). runc
// hangs on such a config too. A runtime command must end with an error that names the field instead, and
// a thread cannot be stopped inside libseccomp, so the build runs in a child the runtime can kill.
#include <chrono>
#include <string>
#include <vector>

#include "seccomp/bpf_build.hpp"

namespace agentrt::seccomp {

// Far above any real profile's compile time (Docker's takes ~2 ms, ~100 ms under TCG emulation).
constexpr std::chrono::milliseconds kCompileDeadline{10000};

std::vector<sock_filter> build_bpf_within(const RuleSet& r, std::vector<std::string>& warnings,
                                          std::chrono::milliseconds deadline);

}  // namespace agentrt::seccomp
