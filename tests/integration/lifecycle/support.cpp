#include "support.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

namespace lifecycle_test {

namespace {

std::vector<char*> c_argv(const std::vector<std::string>& argv) {
  std::vector<char*> v;
  for (const auto& a : argv) v.push_back(const_cast<char*>(a.c_str()));
  v.push_back(nullptr);
  return v;
}

int wait_with_timeout(pid_t pid, int timeout_s) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  int status = 0;
  for (;;) {
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) break;
    if (r < 0) return -1;
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

std::string random_suffix() {
  std::random_device rd;
  std::ostringstream s;
  s << std::hex << (rd() & 0xffffff);
  return s.str();
}

}  // namespace

std::string read_text(const stdfs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_text(const stdfs::path& p, const std::string& content) {
  std::ofstream(p, std::ios::binary | std::ios::trunc) << content;
}

Result execute_to(const std::vector<std::string>& argv, const stdfs::path& out_path,
                  const stdfs::path& err_path, int timeout_s) {
  auto args = c_argv(argv);
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    int in = open("/dev/null", O_RDONLY);
    int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (in < 0 || out < 0 || err < 0) _exit(126);
    dup2(in, 0);
    dup2(out, 1);
    dup2(err, 2);
    syscall(SYS_close_range, 3U, ~0U, 0U);
    execv(args[0], args.data());
    _exit(127);
  }
  Result r;
  r.code = wait_with_timeout(pid, timeout_s);
  r.out = read_text(out_path);
  r.err = read_text(err_path);
  return r;
}

Result execute(const std::vector<std::string>& argv, int timeout_s) {
  static std::atomic<int> counter{0};
  auto base = stdfs::path(kTestBase) / "exec";
  stdfs::create_directories(base);
  auto stem = base / (std::to_string(getpid()) + "-" + std::to_string(counter++));
  auto out = stem.string() + ".out", err = stem.string() + ".err";
  Result r = execute_to(argv, out, err, timeout_s);
  std::error_code ec;
  stdfs::remove(out, ec);
  stdfs::remove(err, ec);
  return r;
}

std::string unique_id(const std::string& tag) {
  static std::atomic<int> counter{0};
  return "lc-" + tag + "-" + std::to_string(getpid()) + "-" + std::to_string(counter++) + "-" +
         random_suffix();
}

json default_config() {
  auto caps = json::array({"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"});
  return {{"ociVersion", "1.0.2"},
          {"process",
           {{"terminal", false},
            {"user", {{"uid", 0}, {"gid", 0}}},
            {"args", {"sh"}},
            {"env", {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"}},
            {"cwd", "/"},
            {"capabilities", {{"bounding", caps}, {"effective", caps}, {"permitted", caps}}},
            {"rlimits", {{{"type", "RLIMIT_NOFILE"}, {"hard", 1024}, {"soft", 1024}}}},
            {"noNewPrivileges", true}}},
          {"root", {{"path", "rootfs"}, {"readonly", false}}},
          {"hostname", "lifecycle"},
          {"mounts",
           {{{"destination", "/proc"}, {"type", "proc"}, {"source", "proc"}},
            {{"destination", "/dev"},
             {"type", "tmpfs"},
             {"source", "tmpfs"},
             {"options", {"nosuid", "strictatime", "mode=755", "size=65536k"}}},
            {{"destination", "/dev/pts"},
             {"type", "devpts"},
             {"source", "devpts"},
             {"options", {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}}},
            {{"destination", "/dev/shm"},
             {"type", "tmpfs"},
             {"source", "shm"},
             {"options", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}}},
            {{"destination", "/dev/mqueue"},
             {"type", "mqueue"},
             {"source", "mqueue"},
             {"options", {"nosuid", "noexec", "nodev"}}},
            {{"destination", "/sys"},
             {"type", "sysfs"},
             {"source", "sysfs"},
             {"options", {"nosuid", "noexec", "nodev", "ro"}}},
            {{"destination", "/sys/fs/cgroup"},
             {"type", "cgroup"},
             {"source", "cgroup"},
             {"options", {"nosuid", "noexec", "nodev", "relatime", "ro"}}}}},
          {"linux",
           {{"resources", {{"devices", {{{"allow", false}, {"access", "rwm"}}}}}},
            {"namespaces",
             {{{"type", "pid"}},
              {{"type", "network"}},
              {{"type", "ipc"}},
              {{"type", "uts"}},
              {{"type", "mount"}}}},
            {"maskedPaths",
             {"/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
              "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi"}},
            {"readonlyPaths", {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"}}}}};
}

Bundle::Bundle(stdfs::path dir, std::string id)
    : dir_(std::move(dir)), id_(std::move(id)), config_(default_config()) {
  auto root = rootfs();
  for (const char* d : {"bin", "proc", "sys", "dev", "etc", "tmp", "ctl", "mnt"})
    stdfs::create_directories(root / d);
  stdfs::permissions(root / "tmp", stdfs::perms::all | stdfs::perms::sticky_bit);
  stdfs::create_directories(ctl());
  stdfs::copy_file("/bin/busybox", root / "bin/busybox");
  auto list = execute({"/bin/busybox", "--list"});
  REQUIRE(list.code == 0);
  for (const auto& applet : split_lines(list.out))
    if (!applet.empty() && applet != "busybox") stdfs::create_symlink("busybox", root / "bin" / applet);
  write_text(root / "etc/passwd",
             "root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000:user:/home/user:/bin/sh\n");
  write_text(root / "etc/group", "root:x:0:\ntty:x:5:\nuser:x:1000:\n");
  write_text(root / "ROOTFS_MARKER", kRootfsMarkerText);
}

Bundle& Bundle::script(const std::string& sh) {
  config_["process"]["args"] = {"sh", "-c", ": " + id_ + "; " + sh};
  return *this;
}

Bundle& Bundle::add_ctl_mount() {
  config_["mounts"].push_back(
      {{"destination", "/ctl"}, {"type", "bind"}, {"source", ctl().string()}, {"options", {"rbind", "rw"}}});
  return *this;
}

void Bundle::write_rootfs_file(const std::string& container_path, const std::string& content, unsigned mode) {
  auto p = rootfs() / stdfs::path(container_path).relative_path();
  stdfs::create_directories(p.parent_path());
  write_text(p, content);
  chmod(p.c_str(), mode);
}

void Bundle::save() const {
  write_text(dir_ / "config.json", config_.dump(2));
}

std::string agentrt_bin() {
  if (const char* e = getenv("AGENTRT_TEST_BIN")) return e;
  return AGENTRT_BIN;
}

Runtime::Runtime(std::string bin, stdfs::path root, std::vector<std::string> global_flags)
    : bin_(std::move(bin)), root_(std::move(root)), global_(std::move(global_flags)) {}

std::vector<std::string> Runtime::argv(const std::vector<std::string>& args) const {
  std::vector<std::string> v{bin_, "--root", root_.string()};
  v.insert(v.end(), global_.begin(), global_.end());
  v.insert(v.end(), args.begin(), args.end());
  return v;
}

Result Runtime::operator()(const std::vector<std::string>& args, int timeout_s) const {
  return execute(argv(args), timeout_s);
}

Result Runtime::to_files(const std::vector<std::string>& args, const stdfs::path& out, int timeout_s) const {
  return execute_to(argv(args), out, out.string() + ".err", timeout_s);
}

std::optional<json> Runtime::state(const std::string& id) const {
  auto r = (*this)({"state", id});
  if (r.code != 0) return std::nullopt;
  auto j = json::parse(r.out, nullptr, false);
  if (j.is_discarded()) return std::nullopt;
  return j;
}

std::string Runtime::status(const std::string& id) const {
  auto s = state(id);
  return s && s->contains("status") ? (*s)["status"].get<std::string>() : "";
}

bool Runtime::wait_status(const std::string& id, const std::string& status, double timeout_s) const {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
  while (std::chrono::steady_clock::now() < deadline) {
    if (this->status(id) == status) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return this->status(id) == status;
}

Fixture::Fixture() {
  base_ = stdfs::path(kTestBase) / unique_id("t");
  stdfs::create_directories(base_ / "agentrt-root");
  stdfs::create_directories(base_ / "runc-root");
  // The base must be reachable from a user namespace's root (others need x on the path).
  chmod(kTestBase, 0755);
  chmod(base_.c_str(), 0755);
  write_text(host_marker(), kHostMarkerText);
  mounts_before_ = mountinfo_lines();
}

Bundle& Fixture::bundle(const std::string& tag) {
  auto id = unique_id(tag);
  bundles_.push_back(std::make_unique<Bundle>(base_ / ("b-" + id), id));
  chmod(bundles_.back()->dir().c_str(), 0755);
  return *bundles_.back();
}

Runtime Fixture::agentrt(const std::string& profile) const {
  std::vector<std::string> flags;
  if (!profile.empty()) flags = {"--profile", profile};
  return Runtime(agentrt_bin(), base_ / "agentrt-root", flags);
}

Runtime Fixture::runc() const {
  return Runtime("/usr/sbin/runc", base_ / "runc-root", {});
}

void Fixture::release(const Bundle& b) const {
  write_text(b.ctl() / "go", "go");
}

namespace {

std::vector<pid_t> processes_mentioning(const std::string& id) {
  std::vector<pid_t> found;
  std::error_code ec;
  for (const auto& e : stdfs::directory_iterator("/proc", ec)) {
    auto name = e.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    auto cmd = read_text(e.path() / "cmdline");
    if (cmd.find(id) != std::string::npos) found.push_back(std::stoi(name));
  }
  return found;
}

std::vector<std::string> cgroups_named(const std::string& id) {
  std::vector<std::string> found;
  std::error_code ec;
  for (const auto& ctrl : stdfs::directory_iterator("/sys/fs/cgroup", ec)) {
    // On pure cgroup v2 the top-level entries are cgroups themselves (a container may sit right there).
    if (ctrl.is_directory(ec) && ctrl.path().filename().string().find(id) != std::string::npos)
      found.push_back(ctrl.path().string());
    stdfs::recursive_directory_iterator it(ctrl.path(), ec), end;
    for (; !ec && it != end; it.increment(ec)) {
      if (it.depth() >= 4) it.disable_recursion_pending();
      if (it->is_directory(ec) && it->path().filename().string().find(id) != std::string::npos)
        found.push_back(it->path().string());
    }
  }
  return found;
}

}  // namespace

std::vector<std::string> Fixture::leaks(const std::string& id) const {
  std::vector<std::string> found;
  for (const auto& root : {base_ / "agentrt-root", base_ / "runc-root"})
    if (stdfs::exists(root / id)) found.push_back("state dir " + (root / id).string());
  // Killed processes can take a moment to be reaped.
  std::vector<pid_t> procs;
  for (int i = 0; i < 100; ++i) {
    procs = processes_mentioning(id);
    if (procs.empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  for (pid_t p : procs)
    found.push_back("process " + std::to_string(p) + ": " +
                    read_text("/proc/" + std::to_string(p) + "/cmdline"));
  for (const auto& c : cgroups_named(id)) found.push_back("cgroup " + c);
  for (const auto& line : mountinfo_lines())
    if (!mounts_before_.count(line) && line.find(id) != std::string::npos) found.push_back("mount " + line);
  return found;
}

void Fixture::check_no_leaks(const std::string& id) const {
  auto found = leaks(id);
  std::string listing;
  for (const auto& f : found) listing += f + "\n";
  INFO("left behind by " << id << ":\n" << listing);
  CHECK(found.empty());
}

Fixture::~Fixture() {
  for (const auto& b : bundles_) {
    agentrt()({"delete", "--force", b->id()});
    if (stdfs::exists(base_ / "runc-root" / b->id())) runc()({"delete", "--force", b->id()});
  }
  for (const auto& b : bundles_) check_no_leaks(b->id());
  for (const auto& root : {base_ / "agentrt-root", base_ / "runc-root"}) {
    std::error_code ec;
    std::string left;
    // Dot entries (the compiled seccomp cache) are the runtime's, not a container's.
    for (const auto& e : stdfs::directory_iterator(root, ec))
      if (e.path().filename().string()[0] != '.') left += e.path().filename().string() + " ";
    INFO("state left under " << root << ": " << left);
    CHECK(left.empty());
  }
  // Other engineers' tests mount things concurrently: only mounts that mention this test's paths count.
  std::string leaked;
  for (const auto& line : mountinfo_lines()) {
    if (mounts_before_.count(line)) continue;
    bool ours = line.find(base_.string()) != std::string::npos;
    for (const auto& b : bundles_) ours = ours || line.find(b->id()) != std::string::npos;
    if (ours) leaked += line + "\n";
  }
  INFO("host mounts left:\n" << leaked);
  CHECK(leaked.empty());
  std::error_code ec;
  stdfs::remove_all(base_, ec);
}

std::vector<std::string> split_lines(const std::string& s) {
  std::vector<std::string> lines;
  std::istringstream in(s);
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  return lines;
}

std::string trim(std::string s) {
  auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

bool contains(const std::string& hay, const std::string& needle) {
  return hay.find(needle) != std::string::npos;
}

std::optional<std::string> value_of(const std::string& output, const std::string& key) {
  auto all = values_of(output, key);
  if (all.empty()) return std::nullopt;
  return all.front();
}

std::vector<std::string> values_of(const std::string& output, const std::string& key) {
  std::vector<std::string> v;
  for (const auto& l : split_lines(output))
    if (l.rfind(key + "=", 0) == 0) v.push_back(trim(l.substr(key.size() + 1)));
  return v;
}

std::string ns_link(const std::string& path) {
  std::error_code ec;
  auto t = stdfs::read_symlink(path, ec);
  return ec ? "" : t.string();
}

std::set<std::string> mountinfo_lines() {
  std::set<std::string> lines;
  for (const auto& l : split_lines(read_text("/proc/self/mountinfo"))) {
    // Drop the mount id and parent id: they are not stable identities for a comparison by content.
    std::istringstream in(l);
    std::string mid, parent, rest;
    in >> mid >> parent;
    std::getline(in, rest);
    lines.insert(rest);
  }
  return lines;
}

std::vector<MountLine> parse_mountinfo(const std::string& text) {
  std::vector<MountLine> mounts;
  for (const auto& l : split_lines(text)) {
    std::istringstream in(l);
    std::vector<std::string> f;
    for (std::string w; in >> w;) f.push_back(w);
    if (f.size() < 10) continue;
    MountLine m;
    m.mountpoint = f[4];
    m.options = f[5];
    size_t i = 6;
    for (; i < f.size() && f[i] != "-"; ++i) m.optional_fields += f[i] + " ";
    if (i + 2 >= f.size()) continue;
    m.fstype = f[i + 1];
    m.source = f[i + 2];
    m.super_options = i + 3 < f.size() ? f[i + 3] : "";
    mounts.push_back(m);
  }
  return mounts;
}

std::optional<MountLine> mount_at(const std::vector<MountLine>& mounts, const std::string& mountpoint) {
  std::optional<MountLine> top;
  for (const auto& m : mounts)
    if (m.mountpoint == mountpoint) top = m;
  return top;
}

std::string section(const std::string& output, const std::string& name) {
  auto begin = output.find("=== " + name + "\n");
  if (begin == std::string::npos) return "";
  begin += name.size() + 5;
  auto end = output.find("=== end " + name, begin);
  return output.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
}

std::string print_section(const std::string& name, const std::string& command) {
  return "echo '=== " + name + "'; " + command + "; echo '=== end " + name + "'; ";
}

std::optional<std::string> status_field(const std::string& status, const std::string& field) {
  for (const auto& l : split_lines(status))
    if (l.rfind(field + ":", 0) == 0) return trim(l.substr(field.size() + 1));
  return std::nullopt;
}

std::optional<unsigned long long> status_hex(const std::string& status, const std::string& field) {
  auto v = status_field(status, field);
  if (!v) return std::nullopt;
  return std::stoull(*v, nullptr, 16);
}

}  // namespace lifecycle_test
