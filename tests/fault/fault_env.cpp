#include "fault_env.hpp"

#include <signal.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <sstream>

#include "integration_support/bundle.hpp"
#include "integration_support/text.hpp"
#include "integration_support/wait.hpp"

namespace fault {

namespace {

std::string make_tag(const std::string& name) {
  return "fuzzfault-" + name + "-" + std::to_string(getpid());
}

void kill_cgroup_members(const stdfs::path& cg) {
  std::error_code ec;
  if (stdfs::exists(cg / "freezer.state", ec)) itest::write_text(cg / "freezer.state", "THAWED");
  if (stdfs::exists(cg / "cgroup.freeze", ec)) itest::write_text(cg / "cgroup.freeze", "0");
  itest::eventually(
      [&] {
        auto procs = itest::split_lines(itest::read_text(cg / "cgroup.procs"));
        procs.erase(std::remove(procs.begin(), procs.end(), ""), procs.end());
        for (const auto& p : procs) kill(std::stoi(p), SIGKILL);
        return procs.empty();
      },
      5);
}

// Field 5 of a mountinfo line.
std::string mount_point(const std::string& line) {
  std::istringstream in(line);
  std::string field;
  for (int i = 0; i < 5; ++i) in >> field;
  return field;
}

}  // namespace

FaultEnv::FaultEnv(const std::string& name, std::vector<std::string> extra_globals)
    : tag_(make_tag(name)),
      base_(stdfs::path("/run") / tag_),
      bundle_(base_ / "bundle"),
      runtime_(itest::agentrt_bin(), base_ / "state", std::move(extra_globals)) {
  stdfs::create_directories(runtime_.root());
  itest::Bundle b(bundle_, tag_, itest::runc_spec(tag_));
  b.script("sleep 1000");
  b.save();
}

FaultEnv::~FaultEnv() {
  scrub();
  std::error_code ec;
  stdfs::remove_all(base_, ec);
}

std::vector<std::string> FaultEnv::scrub() const {
  std::vector<std::string> removed;
  auto left = census();
  for (const auto& p : left.processes) {
    if (!itest::contains(p, tag_)) continue;  // a child of ours without the tag is the caller's business
    kill(std::stoi(p), SIGKILL);
    removed.push_back("process " + p);
  }
  while (waitpid(-1, nullptr, WNOHANG) > 0) {
  }
  // Deepest first, so a child cgroup goes before its parent.
  auto cgroups = left.cgroups;
  std::sort(cgroups.begin(), cgroups.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
  for (const auto& cg : cgroups) {
    kill_cgroup_members(cg);
    if (rmdir(cg.c_str()) == 0) removed.push_back("cgroup " + cg);
  }
  for (const auto& line : left.mounts) {
    std::string target = mount_point(line);
    if (umount2(target.c_str(), MNT_DETACH) == 0) removed.push_back("mount " + target);
  }
  for (const auto& d : left.state_dirs) {
    std::error_code ec;
    stdfs::remove_all(runtime_.root() / d, ec);
    removed.push_back("state dir " + d);
  }
  return removed;
}

}  // namespace fault
