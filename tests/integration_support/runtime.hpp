#pragma once
// One runtime binary (agentrt or runc) with its own --root, and what the tests ask of it.
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "process.hpp"

namespace itest {

namespace stdfs = std::filesystem;
using nlohmann::json;

// The agentrt under test: $AGENTRT_TEST_BIN, else the one this build made.
std::string agentrt_bin();
// Global flags choosing an agent profile ("" means the default profile, no flag).
std::vector<std::string> profile_flags(const std::string& profile);

class Runtime {
 public:
  Runtime(std::string bin, stdfs::path root, std::vector<std::string> globals);
  std::vector<std::string> argv(const std::vector<std::string>& args) const;
  Result operator()(const std::vector<std::string>& args, const RunOptions& opts = {}) const;
  Result operator()(const std::vector<std::string>& args, int timeout_s) const;
  // Keeps stdout at out and stderr at out.err.
  Result to_files(const std::vector<std::string>& args, const stdfs::path& out, int timeout_s = 30) const;
  std::optional<json> state(const std::string& id) const;
  std::string status(const std::string& id) const;  // "" when state fails
  bool wait_status(const std::string& id, const std::string& want, double timeout_s = 10) const;
  const stdfs::path& root() const { return root_; }

 private:
  std::string bin_;
  stdfs::path root_;
  std::vector<std::string> globals_;
};

// Cgroup directories named after id in any hierarchy under /sys/fs/cgroup (a few levels deep).
std::vector<stdfs::path> cgroups_named(const std::string& id);

}  // namespace itest
