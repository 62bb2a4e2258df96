#include <linux/seccomp.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "oci/support/error.hpp"
#include "seccomp/filter.hpp"

namespace agentrt::seccomp {

// Loads with the raw seccomp(2) call: the program is already compiled (and maybe cached), so the container's
// start path never needs libseccomp.
int install(const Program& p) {
  sock_fprog prog{};
  prog.len = static_cast<unsigned short>(p.insns.size());
  prog.filter = const_cast<sock_filter*>(p.insns.data());
  unsigned flags = p.flags;
  if (p.wants_listener) {
    flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
    // TSYNC reports a failing thread through the return value, which NEW_LISTENER needs for the fd.
    if (flags & SECCOMP_FILTER_FLAG_TSYNC) flags |= SECCOMP_FILTER_FLAG_TSYNC_ESRCH;
  }
  long rc = ::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
  if (rc < 0)
    throw sys_error("load seccomp filter (" + std::to_string(p.insns.size()) + " instructions, flags " +
                    std::to_string(flags) + ")");
  return p.wants_listener ? static_cast<int>(rc) : -1;
}

}  // namespace agentrt::seccomp
