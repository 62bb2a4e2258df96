#include <linux/seccomp.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "oci/support/error.hpp"
#include "seccomp/filter.hpp"

namespace agentrt::seccomp {

// Loads with the raw seccomp(2) call: the program is already compiled (and maybe cached), so the container's
// start path never needs libseccomp.
namespace {

long load(const std::vector<sock_filter>& insns, unsigned flags, const char* what) {
  sock_fprog prog{};
  prog.len = static_cast<unsigned short>(insns.size());
  prog.filter = const_cast<sock_filter*>(insns.data());
  long rc = ::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
  if (rc < 0)
    throw sys_error(std::string("load seccomp ") + what + " (" + std::to_string(insns.size()) +
                    " instructions, flags " + std::to_string(flags) + ")");
  return rc;
}

}  // namespace

int install(const Program& p) {
  unsigned flags = p.flags;
  if (p.wants_listener) {
    flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
    // TSYNC reports a failing thread through the return value, which NEW_LISTENER needs for the fd.
    if (flags & SECCOMP_FILTER_FLAG_TSYNC) flags |= SECCOMP_FILTER_FLAG_TSYNC_ESRCH;
  }
  long rc = load(p.insns, flags, "filter");
  // The listener belongs to the engine's filter (one per filter chain); the floor, loaded last, wins ties
  // among equally restrictive answers, so its errno is the one the caller sees.
  if (!p.floor_insns.empty()) {
    try {
      load(p.floor_insns, p.flags, "agent floor filter");
    } catch (...) {
      if (p.wants_listener) ::close(static_cast<int>(rc));
      throw;
    }
  }
  return p.wants_listener ? static_cast<int>(rc) : -1;
}

}  // namespace agentrt::seccomp
