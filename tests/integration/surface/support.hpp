#pragma once
// Support for the engine-facing surface tests: busybox bundles with a `runc spec`-like config.json, a runner
// that captures stdout/stderr/exit code and can hand the child extra fds, and a guard that force-deletes
// every container a test created.
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace surface_test {

namespace stdfs = std::filesystem;
using nlohmann::json;

inline const char* kBase = "/run/agentrt-surface";

struct Result {
  int code = -1;  // exit code, 128+N when killed by signal N, -1 on timeout
  std::string out;
  std::string err;
  std::string all() const { return out + err; }
};

// An env value replaced by the child's own pid (what systemd sets LISTEN_PID to).
inline const char* kSelfPid = "@self-pid";

struct RunOptions {
  std::vector<std::pair<int, int>> fds;    // {fd in this process, fd number in the child}
  std::map<std::string, std::string> env;  // added to (overriding) the inherited environment
  bool keep_extra_fds_open = false;        // do not close fds above the passed ones (stray fd checks)
  int timeout_s = 30;
};

Result execute(const std::vector<std::string>& argv, const RunOptions& opts = {});

std::string unique_id(const std::string& tag);
std::string read_text(const stdfs::path& p);
void write_text(const stdfs::path& p, const std::string& content);
bool contains(const std::string& hay, const std::string& needle);
std::string trim(std::string s);
// The value of "Field:" in a /proc/<pid>/status text.
std::optional<std::string> status_field(const std::string& status, const std::string& field);

// Like `runc spec`, but args are given, terminal off and root writable.
json spec_config(const std::vector<std::string>& args);

// A bundle under kBase: rootfs/ holds busybox with applet symlinks, /etc/passwd and /etc/group.
class Bundle {
 public:
  explicit Bundle(const std::string& tag);
  ~Bundle();
  Bundle(const Bundle&) = delete;
  Bundle& operator=(const Bundle&) = delete;
  const std::string& id() const { return id_; }
  const stdfs::path& dir() const { return dir_; }
  stdfs::path rootfs() const { return dir_ / "rootfs"; }
  json& config() { return config_; }
  Bundle& args(const std::vector<std::string>& a);
  Bundle& sh(const std::string& script) { return args({"sh", "-c", script}); }
  void save() const;

 private:
  std::string id_;
  stdfs::path dir_;
  json config_;
};

// A runtime binary with its own --root; deletes (-f) every id it was asked to create or run.
class Runtime {
 public:
  Runtime(std::string bin, const std::string& tag, std::vector<std::string> globals);
  ~Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;
  Result operator()(const std::vector<std::string>& args, const RunOptions& opts = {}) const;
  std::vector<std::string> argv(const std::vector<std::string>& args) const;
  Result create(Bundle& b, const std::vector<std::string>& extra = {}) const;
  Result run(Bundle& b, const std::vector<std::string>& extra = {}) const;
  std::string status(const std::string& id) const;  // "" when state fails
  std::optional<json> state(const std::string& id) const;
  bool wait_status(const std::string& id, const std::string& want, double timeout_s = 10) const;
  const stdfs::path& root() const { return root_; }
  void track(const std::string& id) const { ids_.push_back(id); }

 private:
  std::string bin_;
  stdfs::path root_;
  std::vector<std::string> globals_;
  mutable std::vector<std::string> ids_;
};

// agentrt with --profile off (profile "" means the default profile, no flag).
std::vector<std::string> agentrt_globals(const std::string& profile = "off");

// A unix socket listening at path; accept_fd() receives one fd sent with SCM_RIGHTS (the pty master).
class ConsoleSocket {
 public:
  explicit ConsoleSocket(const std::string& tag);
  ~ConsoleSocket();
  ConsoleSocket(const ConsoleSocket&) = delete;
  ConsoleSocket& operator=(const ConsoleSocket&) = delete;
  const stdfs::path& path() const { return path_; }
  int accept_fd(int timeout_ms = 10000);  // -1 on failure; caller owns the fd

 private:
  stdfs::path path_;
  int fd_ = -1;
};

// Writes text to the pty master and reads until `until` is seen or timeout; returns everything read.
std::string pty_converse(int master, const std::string& text, const std::string& until,
                         int timeout_ms = 10000);

}  // namespace surface_test
