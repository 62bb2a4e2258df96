#pragma once
// What a run of containers can leave behind, counted before and after (fault injection and soak suites).
// Everything is limited to names carrying `tag` (container ids, state root, bundle paths all carry it), so
// other runs on the same machine do not change the counts.
#include <filesystem>
#include <string>
#include <vector>

namespace itest {

namespace stdfs = std::filesystem;

struct Census {
  std::vector<std::string> cgroups;     // cgroup directories naming tag, in every hierarchy
  std::vector<std::string> mounts;      // mountinfo lines naming tag (this mount namespace)
  std::vector<std::string> state_dirs;  // entries in the runtime's --root
  std::vector<std::string> processes;   // "pid state cmdline" naming tag, or children of this process
  std::vector<std::string> zombies;     // "pid ppid": zombies among those and among children of this process
  std::vector<std::string> fds;         // "fd -> target" open in this process
};

Census take_census(const std::string& tag, const stdfs::path& state_root);
// "" when the two hold the same entries; else one line per category that differs, naming what was added
// and what went.
std::string census_diff(const Census& before, const Census& after);
// "cgroups 0, mounts 0, ..." for reports.
std::string census_counts(const Census& c);

}  // namespace itest
