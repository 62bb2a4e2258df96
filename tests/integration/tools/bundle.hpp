#pragma once
// A bundle whose rootfs is the host's /usr, bind-mounted read-only, with merged-/usr symlinks, a minimal
// /etc, and tmpfs /tmp and /work (HOME). The config is runc's default spec with terminal off, a new network
// namespace whose loopback a createRuntime hook brings up (from the host, so the container needs no
// CAP_NET_ADMIN), and sh -c SCRIPT as the process. Everything lives under /run/agentrt-tools-XXXXXX and is
// removed on destruction.
#include <chrono>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "integration/tools/spawn.hpp"

namespace tools_test {

namespace fsys = std::filesystem;

// The lines `grep` prints for the policy markers in /proc/self/status under an agent profile.
inline const char* kPolicyMarkers = "NoNewPrivs:\t1\nSeccomp:\t2\n";
// Prints those two lines of the container process's own status first, so every run shows its confinement.
inline const char* kShowConfinement = "grep -E '^(NoNewPrivs|Seccomp):' /proc/self/status; ";

class UsrBundle {
 public:
  UsrBundle();
  UsrBundle(const UsrBundle&) = delete;
  UsrBundle& operator=(const UsrBundle&) = delete;
  ~UsrBundle();  // deletes every container it ran (delete --force), then the directory

  const fsys::path& dir() const { return dir_; }
  fsys::path state_root() const { return dir_ / "state"; }

  // runc's default spec adapted as described above, running /bin/sh -c script.
  nlohmann::json config(const std::string& script) const;
  void write_config(const std::string& script) const;

  // `agentrt --root STATE [--profile P] run -b DIR ID` with script as the process; an empty profile passes no
  // flag (so the default, agent-default, applies). Deletes the container afterwards.
  Output run(const std::string& id, const std::string& profile, const std::string& script,
             std::chrono::seconds timeout = std::chrono::seconds(60));

  // The same `agentrt run`, started and left running: the caller feeds its stdin and waits for it. The
  // container is deleted when the bundle is destroyed.
  std::unique_ptr<Spawned> start_run(const std::string& id, const std::string& profile,
                                     const std::string& script);

  // Any agentrt command against this bundle's state root.
  Output agentrt(const std::vector<std::string>& args,
                 std::chrono::seconds timeout = std::chrono::seconds(30)) const;

  void remove_container(const std::string& id) const;

 private:
  fsys::path dir_;
  std::vector<std::string> ids_;
};

// "tools-<tag>-<pid>-<n>": unique across tests and concurrent runs of the suite.
std::string unique_id(const std::string& tag);

}  // namespace tools_test
