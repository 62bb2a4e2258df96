#pragma once
// The audit log's records: one JSON object per line, appended by the supervisor (seccomp denials), by the
// runtime (notices) and, read at print time, by the egress filter's statistics. Pure.
//   {"time": "2026-12-06T06:00:00.000000001Z", "timeNs": ..., "source": "seccomp", "pid": 4242,
//    "comm": "probe", "syscall": "mount", "nr": 165, "args": ["0x0", ...6], "errno": 1, "errnoName": "EPERM"}
//   {"time": ..., "source": "egress", "pid": ..., "comm": ..., "destination": "10.0.0.1:443", "errno": ...}
//   {"time": ..., "source": "agentrt", "notice": "..."}
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace agentrt::audit {

struct SeccompDenial {
  int64_t time_ns = 0;  // CLOCK_REALTIME
  uint32_t pid = 0;     // in the supervisor's (the host's) pid namespace
  const char* comm = "";
  const char* syscall = "";  // "" when the call is not in the table: the number is still recorded
  int nr = -1;
  uint64_t args[6] = {};
  uint32_t errno_ret = 0;
};

// One record and its '\n' into buf, with no heap allocation (the supervisor's loop calls it): returns the
// length, or 0 when it does not fit in cap bytes. comm is escaped (a process names itself).
size_t format_seccomp_denial(const SeccompDenial& d, char* buf, size_t cap);

// "2026-12-06T06:00:00.000000001Z" into buf (cap >= 32); returns buf.
const char* format_time(int64_t time_ns, char* buf, size_t cap);

nlohmann::json notice_record(int64_t time_ns, const std::string& message);

// An egress denial in the log's shape (the egress allow-list's BPF statistics, copied into the log by
// runtime/audit_egress.hpp).
nlohmann::json egress_record(int64_t time_ns, int pid, const std::string& comm,
                             const std::string& destination, int err);

// One line for people: "06:00:00.000 pid 4242 probe: mount(0x0, ...) = EPERM".
std::string describe(const nlohmann::json& record);

}  // namespace agentrt::audit
