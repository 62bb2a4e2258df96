#pragma once
// Test support for the lifecycle integration tests: a fixture with agentrt and runc state roots that cleans
// up and checks that nothing leaked, and parsers for what container scripts print. Running the runtimes and
// building busybox bundles is shared with the other suites (integration_support/).
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "integration_support/bundle.hpp"
#include "integration_support/cgroup_files.hpp"
#include "integration_support/process.hpp"
#include "integration_support/runtime.hpp"
#include "integration_support/text.hpp"
#include "integration_support/workspace.hpp"

namespace lifecycle_test {

namespace stdfs = std::filesystem;
using nlohmann::json;

// The helpers every integration suite shares, usable here as if declared in this namespace.
using namespace itest;

// Where every test's temporary directories live.
inline const char* kTestBase = "/run/agentrt-tests";

// "lc-<tag>-<pid>-<counter>-<random>": unique across parallel runs and tests.
std::string unique_id(const std::string& tag);

// A shell fragment that blocks until the test calls release().
inline const char* kWaitForGo = "while [ ! -e /ctl/go ]; do sleep 0.05; done; ";

// Host marker content: a container that can read it has escaped.
inline const char* kHostMarkerText = "HOST-ONLY-MARKER-7f3a";
inline const char* kRootfsMarkerText = "ROOTFS-MARKER-91bc";

// Per test: its own base dir and state roots; the destructor force-deletes every container, removes the
// directories and checks that nothing is left: state dirs, processes, cgroups, mounts.
class Fixture : public Workspace {
 public:
  Fixture();
  ~Fixture();

  // A bundle whose rootfs also holds /mnt and /ROOTFS_MARKER; the host marker exists beside it, outside.
  Bundle& bundle(const std::string& tag);
  // agentrt with --profile (empty: no flag, the default profile).
  Runtime agentrt(const std::string& profile = "off") const;
  Runtime runc() const;
  stdfs::path host_marker() const { return base() / "HOST_MARKER"; }
  // Touches ctl()/go to release a process started with kWaitForGo.
  void release(const Bundle& b) const;
  // What id left behind (state dirs under either root, processes naming it, cgroups named after it, new
  // mounts naming it), without cleaning anything; check_no_leaks asserts that is nothing.
  std::vector<std::string> leaks(const std::string& id) const;
  void check_no_leaks(const std::string& id) const;

 private:
  std::set<std::string> mounts_before_;
};

// Lines "KEY=value" printed by a container script.
std::optional<std::string> value_of(const std::string& output, const std::string& key);
std::vector<std::string> values_of(const std::string& output, const std::string& key);
// Inode of a /proc/<pid>/ns/<name> style link target: "net:[4026531992]".
std::string ns_link(const std::string& path);
std::set<std::string> mountinfo_lines();
// A parsed mountinfo line.
struct MountLine {
  std::string mountpoint, options, optional_fields, fstype, source, super_options;
};
std::vector<MountLine> parse_mountinfo(const std::string& text);
std::optional<MountLine> mount_at(const std::vector<MountLine>& mounts, const std::string& mountpoint);
// The text between "=== NAME" and "=== end NAME" lines.
std::string section(const std::string& output, const std::string& name);
// A shell fragment that prints file between section markers.
std::string print_section(const std::string& name, const std::string& command);

}  // namespace lifecycle_test
