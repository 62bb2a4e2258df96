#include "cgroups/freezer.hpp"

#include <thread>

#include "cgroups/cgroupfs.hpp"
#include "cgroups/stats.hpp"
#include "oci/support/error.hpp"
#include "oci/support/fs.hpp"

namespace agentrt::cgroups {
namespace {

constexpr int kPolls = 5000;
constexpr auto kPollDelay = std::chrono::milliseconds(1);

std::string v1_state(const std::string& dir) {
  return fs::trim(fs::read_file(fs::join(dir, "freezer.state")));
}

}  // namespace

bool is_frozen_v2(const std::string& dir) {
  auto ev = parse_flat_keyed(fs::read_file(fs::join(dir, "cgroup.events")));
  return ev["frozen"] == 1;
}

void freeze_v2(const std::string& dir, bool frozen) {
  int err = cgroupfs::write(dir, "cgroup.freeze", frozen ? "1" : "0");
  if (err != 0) throw sys_error("write " + fs::join(dir, "cgroup.freeze"), err);
  for (int i = 0; i < kPolls; ++i) {
    if (is_frozen_v2(dir) == frozen) return;
    std::this_thread::sleep_for(kPollDelay);
  }
  throw Error(std::string("cgroup ") + dir + " did not become " + (frozen ? "frozen" : "thawed") +
              " in time");
}

bool is_frozen_v1(const std::string& dir) {
  return v1_state(dir) == "FROZEN";
}

void freeze_v1(const std::string& dir, bool frozen) {
  const std::string want = frozen ? "FROZEN" : "THAWED";
  for (int i = 0; i < kPolls; ++i) {
    // Re-writing while FREEZING nudges tasks that were forking when the first write happened.
    if (i % 100 == 0) {
      int err = cgroupfs::write(dir, "freezer.state", want);
      if (err != 0) throw sys_error("write " + fs::join(dir, "freezer.state"), err);
    }
    if (v1_state(dir) == want) return;
    std::this_thread::sleep_for(kPollDelay);
  }
  throw Error("cgroup " + dir + " did not become " + (frozen ? "frozen" : "thawed") + " in time");
}

}  // namespace agentrt::cgroups
