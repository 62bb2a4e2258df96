#include "support.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <fstream>
#include <random>
#include <sstream>

namespace cgroup_cli_test {

namespace {

const char* kBase = "/run/agentrt-cc-tests";

std::vector<char*> c_argv(const std::vector<std::string>& argv) {
  std::vector<char*> v;
  for (const auto& a : argv) v.push_back(const_cast<char*>(a.c_str()));
  v.push_back(nullptr);
  return v;
}

// Forks argv with stdin from in_path (or /dev/null), stdout+stderr to the given files.
pid_t spawn(const std::vector<std::string>& argv, const std::string& in_path, const stdfs::path& out_path,
            const stdfs::path& err_path) {
  auto args = c_argv(argv);
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    setpgid(0, 0);
    int in = open(in_path.empty() ? "/dev/null" : in_path.c_str(), O_RDONLY);
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
  return pid;
}

std::optional<int> wait_for(pid_t pid, double timeout_s) {
  int status = 0;
  bool done = eventually([&] { return waitpid(pid, &status, WNOHANG) == pid; }, timeout_s);
  if (!done) return std::nullopt;
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

std::string unique_id(const std::string& tag) {
  static std::atomic<int> counter{0};
  return "cc-" + tag + "-" + std::to_string(getpid()) + "-" + std::to_string(counter++) + "-" +
         random_suffix();
}

json default_config() {
  auto caps = json::array({"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"});
  auto ns = json::array();
  for (const char* t : {"pid", "network", "ipc", "uts", "mount"}) ns.push_back({{"type", t}});
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
          {"hostname", "cgroupcli"},
          {"mounts",
           {{{"destination", "/proc"}, {"type", "proc"}, {"source", "proc"}},
            {{"destination", "/dev"},
             {"type", "tmpfs"},
             {"source", "tmpfs"},
             {"options", {"nosuid", "strictatime", "mode=755", "size=65536k"}}},
            {{"destination", "/sys"},
             {"type", "sysfs"},
             {"source", "sysfs"},
             {"options", {"nosuid", "noexec", "nodev", "ro"}}}}},
          {"linux",
           {{"resources", {{"devices", {{{"allow", false}, {"access", "rwm"}}}}}},
            {"namespaces", ns},
            {"maskedPaths", json::array()},
            {"readonlyPaths", json::array()}}}};
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

std::string trim(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  size_t i = 0;
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  return s.substr(i);
}

bool contains(const std::string& hay, const std::string& needle) {
  return hay.find(needle) != std::string::npos;
}

long long read_number(const stdfs::path& p) {
  std::string t = trim(read_text(p));
  INFO("reading " << p << ": '" << t << "'");
  REQUIRE(!t.empty());
  return t == "max" ? -1 : std::stoll(t);
}

Result execute(const std::vector<std::string>& argv, int timeout_s, const std::string& input) {
  static std::atomic<int> counter{0};
  auto dir = stdfs::path(kBase) / "exec";
  stdfs::create_directories(dir);
  std::string stem = (dir / (std::to_string(getpid()) + "-" + std::to_string(counter++))).string();
  std::string in_path;
  if (!input.empty()) {
    in_path = stem + ".in";
    write_text(in_path, input);
  }
  pid_t pid = spawn(argv, in_path, stem + ".out", stem + ".err");
  Result r;
  auto code = wait_for(pid, timeout_s);
  if (!code) {
    kill(-pid, SIGKILL);
    waitpid(pid, nullptr, 0);
  }
  r.code = code.value_or(-1);
  r.out = read_text(stem + ".out");
  r.err = read_text(stem + ".err");
  std::error_code ec;
  for (const char* ext : {".in", ".out", ".err"}) stdfs::remove(stem + ext, ec);
  return r;
}

Background::Background(const std::vector<std::string>& argv, stdfs::path out) : out_(std::move(out)) {
  pid_ = spawn(argv, "", out_, out_.string() + ".err");
}

Background::~Background() {
  if (pid_ > 0) {
    kill(-pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
}

std::optional<int> Background::wait(double timeout_s) {
  auto code = wait_for(pid_, timeout_s);
  if (code) pid_ = -1;
  return code;
}

Bundle::Bundle(stdfs::path dir, std::string id)
    : dir_(std::move(dir)), id_(std::move(id)), config_(default_config()) {
  auto bin = dir_ / "rootfs" / "bin";
  stdfs::create_directories(bin);
  for (const char* d : {"proc", "dev", "sys", "tmp", "etc", "ctl"})
    stdfs::create_directories(dir_ / "rootfs" / d);
  stdfs::create_directories(ctl());
  stdfs::copy_file("/bin/busybox", bin / "busybox");
  Result list = execute({"/bin/busybox", "--list"});
  REQUIRE(list.code == 0);
  std::istringstream names(list.out);
  for (std::string name; std::getline(names, name);) {
    if (!name.empty() && name != "busybox") stdfs::create_symlink("busybox", bin / name);
  }
  write_text(dir_ / "rootfs/etc/passwd", "root:x:0:0:root:/:/bin/sh\n");
  write_text(dir_ / "rootfs/etc/group", "root:x:0:\n");
  config_["mounts"].push_back(
      {{"destination", "/ctl"}, {"type", "bind"}, {"source", ctl().string()}, {"options", {"rbind", "rw"}}});
}

Bundle& Bundle::script(const std::string& sh) {
  config_["process"]["args"] = {"sh", "-c", ": " + id_ + "; " + sh};
  return *this;
}

void Bundle::save() const {
  write_text(dir_ / "config.json", config_.dump(2));
}

std::map<std::string, stdfs::path> cgroup_dirs(int pid) {
  std::map<std::string, stdfs::path> dirs;
  std::istringstream in(read_text("/proc/" + std::to_string(pid) + "/cgroup"));
  for (std::string line; std::getline(in, line);) {
    auto a = line.find(':'), b = line.find(':', a + 1);
    if (a == std::string::npos || b == std::string::npos) continue;
    std::string controllers = line.substr(a + 1, b - a - 1), path = line.substr(b + 1);
    std::string mount = controllers.empty()                  ? "unified"
                        : controllers.rfind("name=", 0) == 0 ? controllers.substr(5)
                                                             : controllers;
    std::istringstream each(controllers.empty() ? std::string("unified") : controllers);
    for (std::string c; std::getline(each, c, ',');) {
      if (c.rfind("name=", 0) == 0) c = c.substr(5);
      dirs[c] = stdfs::path("/sys/fs/cgroup") / mount / path.substr(1);
    }
  }
  return dirs;
}

Fixture::Fixture() : base_(stdfs::path(kBase) / unique_id("fx")) {
  stdfs::create_directories(base_ / "state");
}

Fixture::~Fixture() {
  for (const auto& b : bundles_) {
    execute(argv({"delete", "-f", b->id()}), 20);
  }
  for (const auto& b : bundles_) {
    auto left = leaked_cgroups(b->id());
    for (const auto& p : left) UNSCOPED_INFO("leaked cgroup " << p);
    CHECK(left.empty());
  }
  std::error_code ec;
  stdfs::remove_all(base_, ec);
}

Bundle& Fixture::bundle(const std::string& tag) {
  std::string id = unique_id(tag);
  bundles_.push_back(std::make_unique<Bundle>(base_ / id, id));
  return *bundles_.back();
}

std::vector<std::string> Fixture::argv(const std::vector<std::string>& args,
                                       const std::string& profile) const {
  std::vector<std::string> v{AGENTRT_BIN, "--root", (base_ / "state").string()};
  if (!profile.empty()) {
    v.push_back("--profile");
    v.push_back(profile);
  }
  v.insert(v.end(), args.begin(), args.end());
  return v;
}

Result Fixture::agentrt(const std::vector<std::string>& args, int timeout_s, const std::string& input,
                        const std::string& profile) const {
  return execute(argv(args, profile), timeout_s, input);
}

int Fixture::run_detached(Bundle& b, const std::string& profile) {
  b.save();
  Result c = agentrt({"create", "--bundle", b.dir().string(), b.id()}, 30, "", profile);
  INFO("create: " << c.all());
  REQUIRE(c.code == 0);
  Result s = agentrt({"start", b.id()}, 30, "", profile);
  INFO("start: " << s.all());
  REQUIRE(s.code == 0);
  auto st = state(b.id());
  REQUIRE(st);
  int pid = st->value("pid", 0);
  REQUIRE(pid > 0);
  return pid;
}

std::optional<json> Fixture::state(const std::string& id) const {
  Result r = agentrt({"state", id});
  if (r.code != 0) return std::nullopt;
  try {
    return json::parse(r.out);
  } catch (const json::exception&) {
    return std::nullopt;
  }
}

std::string Fixture::status(const std::string& id) const {
  auto s = state(id);
  return s ? s->value("status", "") : "";
}

bool Fixture::wait_status(const std::string& id, const std::string& want, double timeout_s) const {
  return eventually([&] { return status(id) == want; }, timeout_s);
}

std::vector<stdfs::path> Fixture::leaked_cgroups(const std::string& id) {
  std::vector<stdfs::path> found;
  std::error_code ec;
  for (const auto& hierarchy : stdfs::directory_iterator("/sys/fs/cgroup", ec)) {
    // The container's cgroup sits at most a few levels below the root of each hierarchy.
    stdfs::recursive_directory_iterator it(hierarchy.path(), stdfs::directory_options::skip_permission_denied,
                                           ec);
    for (; !ec && it != stdfs::recursive_directory_iterator(); it.increment(ec)) {
      if (it.depth() > 3) {
        it.disable_recursion_pending();
        continue;
      }
      if (it->is_directory(ec) && contains(it->path().filename().string(), id)) found.push_back(it->path());
    }
  }
  return found;
}

}  // namespace cgroup_cli_test
