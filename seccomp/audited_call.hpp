#pragma once
// A call the audited floor answers through the audit supervisor (seccomp::audit_floor), with the errno the
// floor would give.
#include <cstdint>
#include <string>

namespace agentrt::seccomp {

struct AuditedCall {
  int nr = -1;  // native syscall number
  uint32_t errno_ret = 0;
  std::string name;
};

}  // namespace agentrt::seccomp
