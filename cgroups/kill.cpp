#include "cgroups/kill.hpp"

#include <csignal>
#include <thread>

#include "cgroups/cgroupfs.hpp"
#include "oci/support/error.hpp"
#include "oci/support/fs.hpp"

namespace agentrt::cgroups {
namespace {

constexpr int kPolls = 600;

// Dying processes usually leave within a millisecond or two: poll fast first, then back off (~5 s total).
std::chrono::milliseconds poll_delay(int i) {
  return std::chrono::milliseconds(i < 100 ? 1 : 10);
}

void signal_pass(const std::string& dir, int sig) {
  for (pid_t pid : cgroupfs::read_procs(dir, true))
    if (::kill(pid, sig) < 0 && errno != ESRCH) throw sys_error("kill " + std::to_string(pid));
}

}  // namespace

void wait_empty(const std::string& dir) {
  for (int i = 0; i < kPolls; ++i) {
    if (cgroupfs::read_procs(dir, true).empty()) return;
    std::this_thread::sleep_for(poll_delay(i));
  }
  throw Error("cgroup " + dir + " still has processes after SIGKILL");
}

bool cgroup_kill(const std::string& dir) {
  int err = cgroupfs::write(dir, "cgroup.kill", "1");
  if (err == ENOENT) return false;
  if (err != 0) throw sys_error("write " + fs::join(dir, "cgroup.kill"), err);
  return true;
}

void signal_all(const std::string& dir, int sig, const std::function<void(bool)>& around) {
  auto pass = [&] {
    if (around) around(true);
    try {
      signal_pass(dir, sig);
    } catch (...) {
      if (around) around(false);
      throw;
    }
    if (around) around(false);
  };
  pass();
  if (sig != SIGKILL) return;
  for (int i = 0; i < kPolls; ++i) {
    if (cgroupfs::read_procs(dir, true).empty()) return;
    std::this_thread::sleep_for(poll_delay(i));
    if (i % 20 == 19) pass();
  }
  throw Error("cgroup " + dir + " still has processes after SIGKILL");
}

}  // namespace agentrt::cgroups
