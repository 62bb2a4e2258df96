#pragma once
#include <sys/types.h>

namespace agentrt::runtime {

// Waits until the (not necessarily child) process exits; true when it did within timeout_ms.
bool wait_for_exit(pid_t pid, unsigned long long start_time, int timeout_ms);

}  // namespace agentrt::runtime
