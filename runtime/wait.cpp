#include "runtime/wait.hpp"

#include <poll.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <chrono>

#include "oci/support/unique_fd.hpp"
#include "runtime/proc_info.hpp"

namespace agentrt::runtime {

bool wait_for_exit(pid_t pid, unsigned long long start_time, int timeout_ms) {
  if (!process_alive(pid, start_time)) return true;
  // A pidfd becomes readable when the process exits, even when it is not our child.
  UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (process_alive(pid, start_time)) {
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    if (pidfd) {
      pollfd p{pidfd.get(), POLLIN, 0};
      ::poll(&p, 1, static_cast<int>(std::min<long>(left.count(), 100)));
    } else {
      ::usleep(2000);
    }
  }
  return true;
}

}  // namespace agentrt::runtime
