#pragma once
#include <chrono>
#include <thread>

namespace cgroup_cli_test {

template <typename Pred>
bool eventually(Pred pred, double timeout_s) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
  for (;;) {
    if (pred()) return true;
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

}  // namespace cgroup_cli_test
