#include "runtime/proc_info.hpp"

#include <cerrno>
#include <cstdlib>
#include <string>

#include "oci/support/error.hpp"
#include "oci/support/fs.hpp"

namespace agentrt::runtime {

namespace {

// /proc/<pid>/stat, or nothing once the process is gone: ENOENT after it was reaped, ESRCH from open or read
// while it is being reaped (its /proc entry is still there but the task has left; seen with delete -f of a
// paused container on cgroup v2, whose processes all die at the same moment).
std::optional<std::string> read_stat_text(pid_t pid) {
  try {
    return fs::read_file_if_exists("/proc/" + std::to_string(pid) + "/stat");
  } catch (const Error& e) {
    if (e.error_number() == ESRCH) return std::nullopt;
    throw;
  }
}

}  // namespace

std::optional<ProcStat> read_proc_stat(pid_t pid) {
  auto text = read_stat_text(pid);
  if (!text) return std::nullopt;
  // The command name (field 2) may hold spaces and ')': fields after it start past the last ')'.
  size_t close = text->rfind(')');
  if (close == std::string::npos || close + 2 >= text->size()) return std::nullopt;
  ProcStat st;
  const char* p = text->c_str() + close + 2;
  st.state = *p;
  // After the state come fields 4..: skip to field 22 (starttime), i.e. 19 more fields.
  for (int field = 3; field < 22 && *p; ++field) {
    while (*p && *p != ' ') ++p;
    while (*p == ' ') ++p;
  }
  st.start_time = std::strtoull(p, nullptr, 10);
  return st;
}

bool process_alive(pid_t pid, unsigned long long start_time) {
  if (pid <= 0) return false;
  auto st = read_proc_stat(pid);
  if (!st) return false;
  if (st->state == 'Z' || st->state == 'X') return false;
  return start_time == 0 || st->start_time == start_time;
}

}  // namespace agentrt::runtime
