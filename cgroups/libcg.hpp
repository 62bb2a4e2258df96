#pragma once
// The libcgroup 2.0 calls used for cgroup v1 hierarchies: create, attach, set, delete. cgroup_init() (it
// parses the mount table and zero-fills an 800 KiB table: ~0.45 ms) runs on first use only and once
// per process, so opening a manager to read state costs nothing and `run` (create + delete) pays it once.
// libcgroup is not used on the v2 side: on this hybrid layout 2.0.2 half-creates and then fails with
// ENOENT when the unified mount is involved, and it has no cgroup.freeze, cgroup.kill or device programs.
#include <sys/types.h>

#include <string>
#include <vector>

namespace agentrt::cgroups {

class LibCgroup {
 public:
  // path is relative to the hierarchy roots ("a/b"); controllers name the hierarchies ("memory", "cpu").
  void create(const std::string& path, const std::vector<std::string>& controllers);
  void attach(const std::string& path, const std::vector<std::string>& controllers, pid_t pid);
  // Returns 0 or an errno (ENOENT when the file does not exist).
  int set(const std::string& path, const std::string& controller, const std::string& file,
          const std::string& value);
  // Removes the directory if it is empty; libcgroup reports success even when it is not, so callers check.
  void remove_if_empty(const std::string& path, const std::vector<std::string>& controllers);

 private:
  void init();
};

}  // namespace agentrt::cgroups
