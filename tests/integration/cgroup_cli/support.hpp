#pragma once
// Test support for the cgroup-facing CLI tests: a fixture with its own agentrt state root that force-deletes
// its containers and checks that no cgroup named after them is left behind, and readers of cgroup files.
// Running agentrt and building busybox bundles is shared with the other suites (integration_support/).
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "integration_support/bundle.hpp"
#include "integration_support/cgroup_files.hpp"
#include "integration_support/process.hpp"
#include "integration_support/runtime.hpp"
#include "integration_support/text.hpp"
#include "integration_support/wait.hpp"
#include "integration_support/workspace.hpp"

namespace cgroup_cli_test {

namespace stdfs = std::filesystem;
using nlohmann::json;

// The helpers every integration suite shares, usable here as if declared in this namespace.
using namespace itest;

// A workspace with an agentrt state root; the destructor force-deletes every container and checks that no
// cgroup named after one is left.
class Fixture : public Workspace {
 public:
  Fixture();
  ~Fixture();

  // A bundle with the host's ctl() bind-mounted at /ctl.
  Bundle& bundle(const std::string& tag);
  // agentrt --root <ours> --profile <profile> args... ("" profile: no flag, the default policy).
  Result agentrt(const std::vector<std::string>& args, int timeout_s = 30, const std::string& input = "",
                 const std::string& profile = "off") const;
  std::vector<std::string> argv(const std::vector<std::string>& args,
                                const std::string& profile = "off") const;
  // create + start, then wait for "running"; returns the init pid.
  int run_detached(Bundle& b, const std::string& profile = "off");
  std::optional<json> state(const std::string& id) const;
  std::string status(const std::string& id) const;
  bool wait_status(const std::string& id, const std::string& status, double timeout_s = 10) const;
  // Cgroup directories named after id under any /sys/fs/cgroup hierarchy.
  static std::vector<stdfs::path> leaked_cgroups(const std::string& id) { return cgroups_named(id); }

 private:
  Runtime runtime(const std::string& profile = "off") const;
};

}  // namespace cgroup_cli_test
