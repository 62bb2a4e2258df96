#include "census.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <sstream>

#include "runtime.hpp"
#include "text.hpp"

namespace itest {

namespace {

struct ProcEntry {
  std::string pid;
  char state = '?';
  std::string ppid;
  std::string cmdline;  // NULs turned into spaces
};

std::vector<ProcEntry> all_processes() {
  std::vector<ProcEntry> v;
  std::error_code ec;
  for (const auto& e : stdfs::directory_iterator("/proc", ec)) {
    std::string name = e.path().filename();
    if (name.empty() || !std::all_of(name.begin(), name.end(), ::isdigit)) continue;
    std::string stat = read_text(e.path() / "stat");
    auto close = stat.rfind(')');
    if (close == std::string::npos || close + 4 > stat.size()) continue;  // exited while we looked
    ProcEntry p;
    p.pid = name;
    p.state = stat[close + 2];
    std::istringstream rest(stat.substr(close + 4));
    rest >> p.ppid;
    p.cmdline = read_text(e.path() / "cmdline");
    std::replace(p.cmdline.begin(), p.cmdline.end(), '\0', ' ');
    v.push_back(std::move(p));
  }
  return v;
}

std::vector<std::string> sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

void diff_one(std::ostringstream& out, const char* what, const std::vector<std::string>& before,
              const std::vector<std::string>& after) {
  std::vector<std::string> added, gone;
  std::set_difference(after.begin(), after.end(), before.begin(), before.end(), std::back_inserter(added));
  std::set_difference(before.begin(), before.end(), after.begin(), after.end(), std::back_inserter(gone));
  if (added.empty() && gone.empty()) return;
  out << what << ": " << before.size() << " -> " << after.size();
  for (const auto& a : added) out << "\n  + " << a;
  for (const auto& g : gone) out << "\n  - " << g;
  out << "\n";
}

}  // namespace

Census take_census(const std::string& tag, const stdfs::path& state_root) {
  Census c;
  for (const auto& p : cgroups_named(tag)) c.cgroups.push_back(p.string());
  for (const auto& line : split_lines(read_text("/proc/self/mountinfo")))
    if (contains(line, tag)) c.mounts.push_back(line);
  std::error_code ec;
  // .cache holds compiled seccomp programs shared by every container (one per distinct filter), not a state dir.
  for (const auto& e : stdfs::directory_iterator(state_root, ec))
    if (e.path().filename() != ".cache") c.state_dirs.push_back(e.path().filename());

  std::string self = std::to_string(getpid());
  for (const auto& p : all_processes()) {
    if (p.pid == self) continue;
    bool ours = contains(p.cmdline, tag) || p.ppid == self;
    if (ours) c.processes.push_back(p.pid + " " + p.state + " " + p.cmdline);
    if (p.state == 'Z' && ours) c.zombies.push_back(p.pid + " " + p.ppid);
  }
  for (const auto& e : stdfs::directory_iterator("/proc/self/fd", ec)) {
    std::error_code link_ec;
    auto target = stdfs::read_symlink(e.path(), link_ec);
    c.fds.push_back(e.path().filename().string() + " -> " + target.string());
  }
  for (auto* v : {&c.cgroups, &c.mounts, &c.state_dirs, &c.processes, &c.zombies, &c.fds}) *v = sorted(*v);
  return c;
}

std::string census_diff(const Census& before, const Census& after) {
  std::ostringstream out;
  diff_one(out, "cgroups", before.cgroups, after.cgroups);
  diff_one(out, "mounts", before.mounts, after.mounts);
  diff_one(out, "state dirs", before.state_dirs, after.state_dirs);
  diff_one(out, "processes", before.processes, after.processes);
  diff_one(out, "zombies", before.zombies, after.zombies);
  diff_one(out, "fds", before.fds, after.fds);
  return out.str();
}

std::string census_counts(const Census& c) {
  std::ostringstream out;
  out << "cgroups " << c.cgroups.size() << ", mounts " << c.mounts.size() << ", state dirs "
      << c.state_dirs.size() << ", processes " << c.processes.size() << ", zombies " << c.zombies.size()
      << ", fds " << c.fds.size();
  return out.str();
}

}  // namespace itest
