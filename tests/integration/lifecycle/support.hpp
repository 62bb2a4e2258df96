#pragma once
// Test support for the lifecycle integration tests: busybox bundles with a generated config.json, a runner
// for the agentrt (and runc) binaries, and a fixture that cleans up and checks that nothing leaked.
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace lifecycle_test {

namespace stdfs = std::filesystem;
using nlohmann::json;

// Where every test's temporary directories live.
inline const char* kTestBase = "/run/agentrt-tests";

struct Result {
  int code = -1;  // exit code, 128+N when killed by signal N, -1 on timeout
  std::string out;
  std::string err;
  std::string all() const { return out + err; }
};

// Runs argv with stdout/stderr redirected to files (a detached container holding them open cannot block us),
// stdin from /dev/null and every other fd closed. Kills it after timeout_s seconds.
Result execute(const std::vector<std::string>& argv, int timeout_s = 30);
// Like execute but keeps the output files at out_path/err_path (for a container that writes after we return).
Result execute_to(const std::vector<std::string>& argv, const stdfs::path& out_path,
                  const stdfs::path& err_path, int timeout_s = 30);

// "lc-<tag>-<pid>-<counter>-<random>": unique across parallel runs and tests.
std::string unique_id(const std::string& tag);

// runc spec defaults with terminal off and a writable root.
json default_config();

std::string read_text(const stdfs::path& p);
void write_text(const stdfs::path& p, const std::string& content);

// A bundle directory holding rootfs/ (busybox, its applets, /etc/passwd, /etc/group, /ROOTFS_MARKER) and
// config.json; the host marker file exists beside it, outside the rootfs.
class Bundle {
 public:
  Bundle(stdfs::path dir, std::string id);
  const std::string& id() const { return id_; }
  const stdfs::path& dir() const { return dir_; }
  stdfs::path rootfs() const { return dir_ / "rootfs"; }
  // A directory on the host, bind-mounted at /ctl in the container: the test touches ctl()/go to release a
  // process started with wait_for_go().
  stdfs::path ctl() const { return dir_ / "ctl"; }
  json& config() { return config_; }
  // args = sh -c ": <id>; <script>" so the container's cmdline names the test id (for the leak check).
  Bundle& script(const std::string& sh);
  Bundle& add_ctl_mount();
  void write_rootfs_file(const std::string& container_path, const std::string& content, unsigned mode = 0644);
  void save() const;

 private:
  stdfs::path dir_;
  std::string id_;
  json config_;
};

// A shell fragment that blocks until the test calls release().
inline const char* kWaitForGo = "while [ ! -e /ctl/go ]; do sleep 0.05; done; ";

// Host marker content: a container that can read it has escaped.
inline const char* kHostMarkerText = "HOST-ONLY-MARKER-7f3a";
inline const char* kRootfsMarkerText = "ROOTFS-MARKER-91bc";

// One runtime binary with its own --root.
class Runtime {
 public:
  Runtime(std::string bin, stdfs::path root, std::vector<std::string> global_flags);
  Result operator()(const std::vector<std::string>& args, int timeout_s = 30) const;
  Result to_files(const std::vector<std::string>& args, const stdfs::path& out, int timeout_s = 30) const;
  std::vector<std::string> argv(const std::vector<std::string>& args) const;
  std::optional<json> state(const std::string& id) const;
  std::string status(const std::string& id) const;  // "" when state fails
  bool wait_status(const std::string& id, const std::string& status, double timeout_s = 10) const;
  const stdfs::path& root() const { return root_; }

 private:
  std::string bin_;
  stdfs::path root_;
  std::vector<std::string> global_;
};

std::string agentrt_bin();

// Per test: its own base dir and state roots; the destructor force-deletes every container, removes the
// directories and checks that nothing is left: state dirs, processes, cgroups, mounts.
class Fixture {
 public:
  Fixture();
  ~Fixture();
  Fixture(const Fixture&) = delete;
  Fixture& operator=(const Fixture&) = delete;

  Bundle& bundle(const std::string& tag);
  // agentrt with --profile (empty: no flag, the default profile).
  Runtime agentrt(const std::string& profile = "off") const;
  Runtime runc() const;
  const stdfs::path& base() const { return base_; }
  stdfs::path host_marker() const { return base_ / "HOST_MARKER"; }
  void release(const Bundle& b) const;
  // What id left behind (state dirs under either root, processes naming it, cgroups named after it, new
  // mounts naming it), without cleaning anything; check_no_leaks asserts that is nothing.
  std::vector<std::string> leaks(const std::string& id) const;
  void check_no_leaks(const std::string& id) const;

 private:
  stdfs::path base_;
  std::vector<std::unique_ptr<Bundle>> bundles_;
  std::set<std::string> mounts_before_;
};

// Lines "KEY=value" printed by a container script.
std::optional<std::string> value_of(const std::string& output, const std::string& key);
std::vector<std::string> values_of(const std::string& output, const std::string& key);
std::vector<std::string> split_lines(const std::string& s);
std::string trim(std::string s);
bool contains(const std::string& hay, const std::string& needle);
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
// The hex value of field (CapEff, CapBnd, ...) in a /proc/<pid>/status text.
std::optional<unsigned long long> status_hex(const std::string& status, const std::string& field);
std::optional<std::string> status_field(const std::string& status, const std::string& field);

}  // namespace lifecycle_test
