#pragma once
#include <sys/syscall.h>

#include <string>
#include <vector>

#include "bpf_eval.hpp"
#include "oci/spec.hpp"
#include "seccomp/filter.hpp"

namespace agentrt::seccomp::test {

inline oci::SeccompSyscall rule(std::vector<std::string> names, oci::SeccompAction a,
                                std::vector<oci::SeccompArg> args = {},
                                std::optional<uint32_t> err = std::nullopt) {
  oci::SeccompSyscall s;
  s.names = std::move(names);
  s.action = a;
  s.args = std::move(args);
  s.errno_ret = err;
  return s;
}

inline oci::SeccompArg arg(uint32_t index, oci::SeccompOp op, uint64_t value, uint64_t value_two = 0) {
  return oci::SeccompArg{index, value, value_two, op};
}

inline oci::Seccomp filter(oci::SeccompAction def, std::vector<oci::SeccompSyscall> rules,
                           std::optional<uint32_t> def_errno = std::nullopt) {
  oci::Seccomp s;
  s.default_action = def;
  s.default_errno_ret = def_errno;
  s.syscalls = std::move(rules);
  return s;
}

// What the compiled program returns for syscall nr with the given arguments (native arch); with a stacked
// floor, what the kernel returns for the two filters.
inline uint32_t decide(const Program& p, int nr, std::array<uint64_t, 6> args = {}) {
  Call c;
  c.nr = nr;
  c.args = args;
  uint32_t engine = run_bpf(p.insns, c);
  return p.floor_insns.empty() ? engine : stacked(engine, run_bpf(p.floor_insns, c));
}

inline uint32_t errno_ret(uint32_t e) {
  return SECCOMP_RET_ERRNO | e;
}

}  // namespace agentrt::seccomp::test
