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

// Whether the program can answer SECCOMP_RET_USER_NOTIF (a `ret #k` with that action).
bool returns_notify(const std::vector<sock_filter>& insns) {
  for (const auto& i : insns)
    if (i.code == (BPF_RET | BPF_K) && (i.k & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_USER_NOTIF) return true;
  return false;
}

unsigned with_listener(unsigned flags) {
  flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
  // TSYNC reports a failing thread through the return value, which NEW_LISTENER needs for the fd.
  if (flags & SECCOMP_FILTER_FLAG_TSYNC) flags |= SECCOMP_FILTER_FLAG_TSYNC_ESRCH;
  return flags;
}

}  // namespace

int install(const Program& p) {
  // One listener per filter chain (the kernel refuses a second with EBUSY): it goes to the layer that
  // notifies, the engine's filter (listenerPath) or the audited floor (audit/), never both.
  bool floor_listens = p.wants_listener && !p.floor_insns.empty() && returns_notify(p.floor_insns);
  bool engine_listens = p.wants_listener && !floor_listens;
  long rc = load(p.insns, engine_listens ? with_listener(p.flags) : p.flags, "filter");
  // The floor, loaded last, wins ties among equally restrictive answers, so its errno is the one the caller
  // sees.
  if (!p.floor_insns.empty()) {
    try {
      long floor_rc =
          load(p.floor_insns, floor_listens ? with_listener(p.flags) : p.flags, "agent floor filter");
      if (floor_listens) rc = floor_rc;
    } catch (...) {
      if (engine_listens) ::close(static_cast<int>(rc));
      throw;
    }
  }
  return p.wants_listener ? static_cast<int>(rc) : -1;
}

}  // namespace agentrt::seccomp
