// The threat probe inside a real busybox container started by `agentrt run`, under agent-default and off.
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "child.hpp"

using namespace agentrt::seccomp::itest;
namespace fsys = std::filesystem;

namespace {

const char* kOps[] = {"ptrace",       "process_vm_readv",  "mount",         "unshare_user",
                      "init_module",  "open_by_handle_at", "socket_packet", "socket_alg",
                      "socket_vsock", "io_uring_setup",    "tiocsti",       "keyctl",
                      "bpf",          "perf_event_open",   "clone3",        "userfaultfd",
                      "socket_inet",  "socket_unix",       "getpid"};

nlohmann::json config(const std::string& script) {
  nlohmann::json caps = {"CAP_AUDIT_WRITE", "CAP_KILL",   "CAP_NET_BIND_SERVICE",
                         "CAP_CHOWN",       "CAP_SETUID", "CAP_SETGID"};
  return {{"ociVersion", "1.0.2"},
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

// `agentrt [--profile p] run`, killed (and the container deleted) if it takes longer than a minute.
RunOutput agentrt_run(const Bundle& b, const std::string& id, const std::string& profile,
                      const std::string& script) {
  std::ofstream(b.dir / "config.json") << config(script).dump();
  std::string root = (b.dir / "state").string();
  std::vector<std::string> argv{AGENTRT_BIN, "--root", root};
  if (!profile.empty()) argv.insert(argv.end(), {"--profile", profile});
  argv.insert(argv.end(), {"run", "-b", b.dir.string(), id});
  int out[2];
  REQUIRE(pipe(out) == 0);
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    setpgid(0, 0);
    dup2(out[1], 1);
    close(out[0]);
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    execv(args[0], args.data());
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
  std::string cleanup =
      std::string(AGENTRT_BIN) + " --root " + root + " delete --force " + id + " >/dev/null 2>&1";
  (void)std::system(cleanup.c_str());
  REQUIRE(done);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

std::map<std::string, std::string> results(const std::string& out) {
  std::map<std::string, std::string> m;
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    auto eq = line.find('=');
    if (eq != std::string::npos) m[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return m;
}

std::string probe_script(bool forkbomb) {
  std::string s;
  for (const char* op : kOps) s += std::string("echo \"") + op + "=$(/bin/probe " + op + " 2>/dev/null)\"; ";
  s += "/bin/probe int80_socketcall >/dev/null 2>&1; echo \"int80=$?\"; ";
  if (forkbomb) s += "echo \"forkbomb=$(/bin/probe forkbomb 2>/dev/null)\"; ";
  return s;
}

}  // namespace

TEST_CASE("container: agent-default stops the probe's attacks inside a real container", "[container]") {
  Bundle b;
  auto r = agentrt_run(b, "seccomp-probe-default-" + std::to_string(getpid()), "", probe_script(true));
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  auto m = results(r.out);
  std::map<std::string, std::string> want{{"ptrace", "EPERM"},
                                          {"process_vm_readv", "EPERM"},
                                          {"mount", "EPERM"},
                                          {"unshare_user", "EPERM"},
                                          {"init_module", "EPERM"},
                                          {"open_by_handle_at", "EPERM"},
                                          {"socket_packet", "EAFNOSUPPORT"},
                                          {"socket_alg", "EAFNOSUPPORT"},
                                          {"socket_vsock", "EAFNOSUPPORT"},
                                          {"io_uring_setup", "ENOSYS"},
                                          {"tiocsti", "EPERM"},
                                          {"keyctl", "EPERM"},
                                          {"bpf", "EPERM"},
                                          {"perf_event_open", "EPERM"},
                                          {"clone3", "ENOSYS"},
                                          {"userfaultfd", "EPERM"},
                                          {"socket_inet", "OK"},
                                          {"socket_unix", "OK"},
                                          {"getpid", "OK"},
                                          {"int80", std::to_string(128 + SIGSYS)},
                                          {"forkbomb", "EAGAIN"}};
  for (const auto& [op, errno_name] : want) {
    INFO("operation " << op);
    REQUIRE(m[op] == errno_name);
  }
}

TEST_CASE("container: under --profile off the same probes reach the kernel", "[container]") {
  Bundle b;
  auto r = agentrt_run(b, "seccomp-probe-off-" + std::to_string(getpid()), "off", probe_script(false));
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  auto m = results(r.out);
  // No filter: what the kernel itself answers for a root process without CAP_SYS_ADMIN/NET_RAW/SYS_PTRACE.
  REQUIRE(m["unshare_user"] == "OK");
  REQUIRE(m["io_uring_setup"] == "OK");
  REQUIRE(m["clone3"] == "EINVAL");
  REQUIRE(m["tiocsti"] != "EPERM");
  REQUIRE(m["keyctl"] == "OK");
  REQUIRE(m["int80"] == "0");
  REQUIRE(m["socket_inet"] == "OK");
  REQUIRE(m["ptrace"] == "OK");  // a child of the probe, same user: allowed without CAP_SYS_PTRACE
}
