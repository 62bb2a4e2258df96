#pragma once
// Support for the engine-facing surface tests: bundles and runtime roots of their own under kBase that clean
// up after themselves (the runtime force-deletes every container it created), and a console socket. Running
// the runtimes and building busybox bundles is shared with the other suites (integration_support/).
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "integration_support/bundle.hpp"
#include "integration_support/process.hpp"
#include "integration_support/runtime.hpp"
#include "integration_support/text.hpp"

namespace surface_test {

namespace stdfs = std::filesystem;
using nlohmann::json;

using itest::contains;
using itest::execute;
using itest::kSelfPid;
using itest::read_text;
using itest::Result;
using itest::RunOptions;
using itest::status_field;
using itest::trim;
using itest::write_text;

inline const char* kBase = "/run/agentrt-surface";

std::string unique_id(const std::string& tag);

// A bundle in its own directory under kBase (rootfs also holds /root), removed on destruction.
class Bundle : public itest::Bundle {
 public:
  explicit Bundle(const std::string& tag);
  ~Bundle();
  Bundle(const Bundle&) = delete;
  Bundle& operator=(const Bundle&) = delete;

 private:
  struct FromId {};
  Bundle(FromId, const std::string& id);
};

// A runtime binary with its own --root under kBase; deletes (-f) every id it was asked to create or run.
class Runtime : public itest::Runtime {
 public:
  Runtime(std::string bin, const std::string& tag, std::vector<std::string> globals);
  ~Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;
  Result create(itest::Bundle& b, const std::vector<std::string>& extra = {}) const;
  Result run(itest::Bundle& b, const std::vector<std::string>& extra = {}) const;
  void track(const std::string& id) const { ids_.push_back(id); }

 private:
  Result start_bundle(const std::string& command, itest::Bundle& b,
                      const std::vector<std::string>& extra) const;
  mutable std::vector<std::string> ids_;
};

// agentrt with --profile off (profile "" means the default profile, no flag).
inline std::vector<std::string> agentrt_globals(const std::string& profile = "off") {
  return itest::profile_flags(profile);
}

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
