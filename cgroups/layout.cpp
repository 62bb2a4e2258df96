#include <linux/magic.h>
#include <sys/statfs.h>

#include "cgroups/manager.hpp"
#include "oci/support/error.hpp"

namespace agentrt::cgroups {

Layout detect_layout() {
  struct statfs st;
  if (::statfs("/sys/fs/cgroup", &st) < 0) throw sys_error("statfs /sys/fs/cgroup");
  if (st.f_type == CGROUP2_SUPER_MAGIC) return Layout::unified;
  if (::statfs("/sys/fs/cgroup/unified", &st) == 0 && st.f_type == CGROUP2_SUPER_MAGIC) return Layout::hybrid;
  return Layout::legacy;
}

const char* to_string(Layout l) {
  switch (l) {
    case Layout::unified:
      return "unified";
    case Layout::hybrid:
      return "hybrid";
    case Layout::legacy:
      return "legacy";
  }
  return "unknown";
}

}  // namespace agentrt::cgroups
