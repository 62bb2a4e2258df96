#pragma once
// A busybox bundle with the threat probe, and `agentrt run` on it with a deadline.
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "child.hpp"

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

// agentrt with these arguments (after --root), killed if it takes longer than a minute. stdout is captured,
// or left on /dev/null for a command whose container outlives it (`run -d`) and would hold the pipe open.
inline RunOutput agentrt_cmd(const std::string& root, const std::vector<std::string>& args,
                             bool capture = true) {
  std::vector<std::string> argv{AGENTRT_BIN, "--root", root};
  argv.insert(argv.end(), args.begin(), args.end());
  int out[2];
  REQUIRE(pipe(out) == 0);
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    setpgid(0, 0);
    int null = open("/dev/null", O_WRONLY);
    dup2(capture ? out[1] : null, 1);
    close(out[0]);
    std::vector<char*> cargs;
    for (auto& a : argv) cargs.push_back(a.data());
    cargs.push_back(nullptr);
    execv(cargs[0], cargs.data());
    _exit(127);
  }
  close(out[1]);
  RunOutput r;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  int status = 0;
  bool done = false;
  while (!done && std::chrono::steady_clock::now() < deadline) {
    done = waitpid(pid, &status, WNOHANG) == pid;
    if (!done) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (!done) {
    kill(-pid, SIGKILL);
    waitpid(pid, &status, 0);
  }
  char buf[4096];
  ssize_t n;
  while ((n = read(out[0], buf, sizeof buf)) > 0) r.out.append(buf, static_cast<size_t>(n));
  close(out[0]);
  r.exit_code = !done ? -1 : WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
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
