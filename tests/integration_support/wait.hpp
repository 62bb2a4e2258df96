#pragma once
// Polling until a condition holds, for things the kernel or a runtime finishes asynchronously.
#include <chrono>
#include <thread>

namespace itest {

// Polls pred every `every` until it holds or timeout_s passes; true when it held.
template <typename Pred>
bool eventually(Pred pred, double timeout_s,
                std::chrono::milliseconds every = std::chrono::milliseconds(50)) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
  for (;;) {
    if (pred()) return true;
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(every);
  }
}

}  // namespace itest
