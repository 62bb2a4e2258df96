#pragma once
// Test support for the cgroup-facing CLI tests: busybox bundles, a runner for AGENTRT_BIN, and a fixture that
// force-deletes its containers and checks that no cgroup named after them is left behind.
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace cgroup_cli_test {

namespace stdfs = std::filesystem;
using nlohmann::json;

struct Result {
  int code = -1;  // exit code, 128+N when killed by signal N, -1 on timeout
  std::string out;
  std::string err;
  std::string all() const { return out + err; }
};

// Runs argv with stdout/stderr captured through files, stdin from input (empty: /dev/null).
Result execute(const std::vector<std::string>& argv, int timeout_s = 30, const std::string& input = "");

std::string read_text(const stdfs::path& p);
void write_text(const stdfs::path& p, const std::string& content);
std::string trim(std::string s);
bool contains(const std::string& hay, const std::string& needle);
long long read_number(const stdfs::path& p);

// The host pid of a process running in the background; killed (and reaped) on destruction.
class Background {
 public:
  Background(const std::vector<std::string>& argv, stdfs::path out);
  ~Background();
  Background(const Background&) = delete;
  Background& operator=(const Background&) = delete;
  // Exit code once it exits within timeout_s; std::nullopt if it is still running.
  std::optional<int> wait(double timeout_s);
  std::string output() const { return read_text(out_); }

 private:
  int pid_ = -1;
  stdfs::path out_;
};

// One container bundle: rootfs/ with busybox and its applets, config.json from config().
class Bundle {
 public:
  Bundle(stdfs::path dir, std::string id);
  const std::string& id() const { return id_; }
  const stdfs::path& dir() const { return dir_; }
  // A host directory bind-mounted at /ctl.
  stdfs::path ctl() const { return dir_ / "ctl"; }
  json& config() { return config_; }
  json& resources() { return config_["linux"]["resources"]; }
  // args = sh -c ": <id>; <script>".
  Bundle& script(const std::string& sh);
  void save() const;

 private:
  stdfs::path dir_;
  std::string id_;
  json config_;
};

// controller ("memory", "cpu", "pids", ...) -> host directory of the process's cgroup in that hierarchy.
std::map<std::string, stdfs::path> cgroup_dirs(int pid);

class Fixture {
 public:
  Fixture();
  ~Fixture();
  Fixture(const Fixture&) = delete;
  Fixture& operator=(const Fixture&) = delete;

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
  const stdfs::path& base() const { return base_; }
  // Cgroup directories named after id under any /sys/fs/cgroup hierarchy.
  static std::vector<stdfs::path> leaked_cgroups(const std::string& id);

 private:
  stdfs::path base_;
  std::vector<std::unique_ptr<Bundle>> bundles_;
};

// Polls pred every 50 ms until it holds or timeout_s passes.
template <typename Pred>
bool eventually(Pred pred, double timeout_s);

}  // namespace cgroup_cli_test

#include "support_inl.hpp"
