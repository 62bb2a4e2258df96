#include "runtime/preserved_fds.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <string>

#include "oci/support/error.hpp"

namespace agentrt::runtime {

void check_preserved_fds(int listen_fds, int preserve_fds, const std::vector<int>& runtime_fds) {
  if (preserve_fds < 0)
    throw Error("--preserve-fds: must be 0 or more, got " + std::to_string(preserve_fds), EINVAL);
  // Socket activation's fds come first (from 3), then the --preserve-fds ones.
  const long total = static_cast<long>(listen_fds) + preserve_fds;
  for (long i = 0; i < total; ++i) {
    const int fd = static_cast<int>(3 + i);
    // runc's wording: "unable to stat preserved-fd 4 (of 10)" names the fd number and the flag's count.
    const std::string what = i < listen_fds
                                 ? "LISTEN_FDS: unable to stat socket-activation fd " + std::to_string(fd) +
                                       " (of " + std::to_string(listen_fds) + ")"
                                 : "--preserve-fds: unable to stat preserved-fd " + std::to_string(fd) +
                                       " (of " + std::to_string(preserve_fds) + ")";
    if (std::find(runtime_fds.begin(), runtime_fds.end(), fd) != runtime_fds.end())
      throw Error(what + ": that fd is the runtime's own (--log file), not one the caller passed", EBADF);
    struct stat st {};
    if (::fstat(fd, &st) < 0) throw sys_error(what);
  }
}

void require_outside_preserved(int fd, int count, const char* what) {
  if (fd >= 3 && fd < 3L + count)
    throw Error(std::string("internal: ") + what + " got fd " + std::to_string(fd) +
                    ", inside the preserved range 3.." + std::to_string(2L + count),
                EBADF);
}

}  // namespace agentrt::runtime
