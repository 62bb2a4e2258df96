#include "integration/tools/bundle.hpp"

#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <stdexcept>

namespace tools_test {

namespace {

// `runc spec` (runc 1.1.5) verbatim, the base every test config starts from.
const char* kRuncDefaultSpec = R"({
  "ociVersion": "1.0.2-dev",
  "process": {
    "terminal": true,
    "user": {"uid": 0, "gid": 0},
    "args": ["sh"],
    "env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"],
    "cwd": "/",
    "capabilities": {
      "bounding": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
      "effective": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
      "permitted": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
      "ambient": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]
    },
    "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}],
    "noNewPrivileges": true
  },
  "root": {"path": "rootfs", "readonly": true},
  "hostname": "runc",
  "mounts": [
    {"destination": "/proc", "type": "proc", "source": "proc"},
    {"destination": "/dev", "type": "tmpfs", "source": "tmpfs",
     "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
    {"destination": "/dev/pts", "type": "devpts", "source": "devpts",
     "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]},
    {"destination": "/dev/shm", "type": "tmpfs", "source": "shm",
     "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]},
    {"destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue", "options": ["nosuid", "noexec", "nodev"]},
    {"destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["nosuid", "noexec", "nodev", "ro"]},
    {"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup",
     "options": ["nosuid", "noexec", "nodev", "relatime", "ro"]}
  ],
  "linux": {
    "resources": {"devices": [{"allow": false, "access": "rwm"}]},
    "namespaces": [{"type": "pid"}, {"type": "network"}, {"type": "ipc"}, {"type": "uts"}, {"type": "mount"}],
    "maskedPaths": ["/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
                    "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi"],
    "readonlyPaths": ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]
  }
})";

// Runs on the host between namespace creation and pivot_root: reads the container state from stdin and brings
// up lo inside the container's network namespace, which starts with lo down (connect to 127.0.0.1 would fail
// with ENETUNREACH).
const char* kLoopbackUpHook =
    "pid=$(sed -n 's/.*\"pid\": *\\([0-9][0-9]*\\).*/\\1/p') && [ -n \"$pid\" ] && "
    "exec nsenter --net=/proc/$pid/ns/net ip link set lo up";

void write_file(const fsys::path& p, const std::string& content) {
  std::ofstream f(p);
  f << content;
  if (!f.flush()) throw std::runtime_error("write " + p.string());
}

nlohmann::json ro_bind(const std::string& path) {
  return {{"destination", path}, {"type", "bind"}, {"source", path}, {"options", {"rbind", "ro"}}};
}

nlohmann::json tmpfs(const std::string& path, const std::string& mode) {
  return {{"destination", path},
          {"type", "tmpfs"},
          {"source", "tmpfs"},
          {"options", {"nosuid", "nodev", "mode=" + mode, "size=262144k"}}};
}

void make_rootfs(const fsys::path& rootfs) {
  for (const char* d : {"usr", "proc", "dev", "sys", "tmp", "work", "etc/alternatives"})
    fsys::create_directories(rootfs / d);
  // The same merged-/usr links the host has (bin -> usr/bin, lib64 -> usr/lib64 ...).
  for (const char* name : {"bin", "sbin", "lib", "lib32", "lib64", "libx32"}) {
    fsys::path host = fsys::path("/") / name;
    if (fsys::is_symlink(host)) fsys::create_symlink(fsys::read_symlink(host), rootfs / name);
  }
  write_file(rootfs / "etc/passwd",
             "root:x:0:0:root:/work:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n");
  write_file(rootfs / "etc/group", "root:x:0:\nnogroup:x:65534:\n");
  write_file(rootfs / "etc/hosts", "127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n");
  write_file(rootfs / "etc/nsswitch.conf", "passwd: files\ngroup: files\nhosts: files\n");
  if (fsys::exists("/etc/ld.so.cache")) fsys::copy_file("/etc/ld.so.cache", rootfs / "etc/ld.so.cache");
}

}  // namespace

std::string unique_id(const std::string& tag) {
  static std::atomic<int> counter{0};
  return "tools-" + tag + "-" + std::to_string(getpid()) + "-" + std::to_string(counter++);
}

UsrBundle::UsrBundle() {
  char tmpl[] = "/run/agentrt-tools-XXXXXX";
  if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp /run/agentrt-tools-XXXXXX failed");
  dir_ = tmpl;
  make_rootfs(dir_ / "rootfs");
}

UsrBundle::~UsrBundle() {
  for (const auto& id : ids_) remove_container(id);
  std::error_code ec;
  fsys::remove_all(dir_, ec);
}

nlohmann::json UsrBundle::config(const std::string& script) const {
  auto c = nlohmann::json::parse(kRuncDefaultSpec);
  auto& p = c["process"];
  p["terminal"] = false;
  p["args"] = {"/bin/sh", "-c", script};
  p["env"] = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/work",
              "LANG=C.UTF-8", "TMPDIR=/tmp"};
  p["cwd"] = "/work";
  // The spec asks for neither no_new_privs nor a filter, so NoNewPrivs and Seccomp in the container come from
  // the agent policy alone. Ambient caps are dropped: runc's default cannot raise them (no inheritable set).
  p["noNewPrivileges"] = false;
  p["capabilities"].erase("ambient");
  c["hostname"] = "tools";
  for (const char* path : {"/usr", "/etc/alternatives"}) c["mounts"].push_back(ro_bind(path));
  c["mounts"].push_back(tmpfs("/tmp", "1777"));
  c["mounts"].push_back(tmpfs("/work", "755"));
  c["hooks"]["createRuntime"] = {{{"path", "/bin/sh"},
                                  {"args", {"sh", "-c", kLoopbackUpHook}},
                                  {"env", {"PATH=/usr/sbin:/usr/bin:/sbin:/bin"}},
                                  {"timeout", 20}}};
  return c;
}

void UsrBundle::write_config(const std::string& script) const {
  write_file(dir_ / "config.json", config(script).dump(2));
}

Output UsrBundle::agentrt(const std::vector<std::string>& args, std::chrono::seconds timeout) const {
  std::vector<std::string> argv{AGENTRT_BIN, "--root", state_root().string()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_command(argv, timeout);
}

void UsrBundle::remove_container(const std::string& id) const {
  agentrt({"delete", "--force", id});
}

std::unique_ptr<Spawned> UsrBundle::start_run(const std::string& id, const std::string& profile,
                                              const std::string& script) {
  write_config(script);
  ids_.push_back(id);
  std::vector<std::string> argv{AGENTRT_BIN, "--root", state_root().string()};
  if (!profile.empty()) argv.insert(argv.end(), {"--profile", profile});
  argv.insert(argv.end(), {"run", "-b", dir_.string(), id});
  return std::make_unique<Spawned>(argv);
}

Output UsrBundle::run(const std::string& id, const std::string& profile, const std::string& script,
                      std::chrono::seconds timeout) {
  auto child = start_run(id, profile, script);
  child->close_stdin();
  Output r = child->wait(timeout);
  remove_container(id);
  ids_.pop_back();
  return r;
}

}  // namespace tools_test
