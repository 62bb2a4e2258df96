#pragma once
// A busybox bundle with the threat probe, and agentrt commands on it with a deadline.
#include <stdlib.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "child.hpp"
#include "integration_support/runtime.hpp"

namespace agentrt::seccomp::itest {

namespace fsys = std::filesystem;

inline nlohmann::json config(const std::string& script, const nlohmann::json& seccomp = nullptr) {
  nlohmann::json caps = {"CAP_AUDIT_WRITE", "CAP_KILL",   "CAP_NET_BIND_SERVICE",
                         "CAP_CHOWN",       "CAP_SETUID", "CAP_SETGID"};
  nlohmann::json c = {{"ociVersion", "1.0.2"},
                      {"process",
                       {{"terminal", false},
                        {"user", {{"uid", 0}, {"gid", 0}}},
                        {"args", {"/bin/busybox", "sh", "-c", script}},
                        {"env", {"PATH=/bin"}},
                        {"cwd", "/"},
                        {"capabilities", {{"bounding", caps}, {"effective", caps}, {"permitted", caps}}},
                        {"noNewPrivileges", false}}},
                      {"root", {{"path", "rootfs"}, {"readonly", true}}},
                      {"hostname", "probe"},
                      {"mounts",
                       {{{"destination", "/proc"}, {"type", "proc"}, {"source", "proc"}},
                        {{"destination", "/dev"},
                         {"type", "tmpfs"},
                         {"source", "tmpfs"},
                         {"options", {"nosuid", "strictatime", "mode=755", "size=65536k"}}}}},
                      {"linux",
                       {{"namespaces",
                         {{{"type", "pid"}},
                          {{"type", "network"}},
                          {{"type", "ipc"}},
                          {{"type", "uts"}},
                          {{"type", "mount"}}}},
                        {"maskedPaths", {"/proc/kcore"}},
                        {"readonlyPaths", {"/proc/sys"}}}}};
  if (!seccomp.is_null()) c["linux"]["seccomp"] = seccomp;
  return c;
}

struct Bundle {
  fsys::path dir;
  Bundle() {
    char tmpl[] = "/run/agentrt-seccomp-bundle-XXXXXX";
    dir = mkdtemp(tmpl);
    fsys::create_directories(dir / "rootfs/bin");
    fsys::copy_file("/bin/busybox", dir / "rootfs/bin/busybox");
    fsys::copy_file(probe_path(), dir / "rootfs/bin/probe");
  }
  ~Bundle() { fsys::remove_all(dir); }
};

struct RunOutput {
  int exit_code = -1;
  std::string out;
};

// agentrt --root root args..., through the shared runner (output in files, so a container that outlives the
// command, as `run -d`'s does, cannot hold it up); killed after a minute, exit_code -1 then.
inline RunOutput agentrt_cmd(const std::string& root, const std::vector<std::string>& args) {
  ::itest::Result r = ::itest::Runtime(::itest::agentrt_bin(), root, {})(args, 60);
  return {r.code, r.out};
}

inline void write_config(const Bundle& b, const std::string& script,
                         const nlohmann::json& seccomp = nullptr) {
  std::ofstream(b.dir / "config.json") << config(script, seccomp).dump();
}

inline std::string state_root(const Bundle& b) {
  return (b.dir / "state").string();
}

inline void force_delete(const Bundle& b, const std::string& id) {
  (void)agentrt_cmd(state_root(b), {"delete", "--force", id});
}

// `agentrt [--profile p] run`; the container is deleted afterwards whatever happened.
inline RunOutput agentrt_run(const Bundle& b, const std::string& id, const std::string& profile,
                             const std::string& script, const nlohmann::json& seccomp = nullptr) {
  write_config(b, script, seccomp);
  std::vector<std::string> args;
  if (!profile.empty()) args = {"--profile", profile};
  args.insert(args.end(), {"run", "-b", b.dir.string(), id});
  RunOutput r = agentrt_cmd(state_root(b), args);
  force_delete(b, id);
  REQUIRE(r.exit_code != -1);
  return r;
}

}  // namespace agentrt::seccomp::itest
