#include "support.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

namespace surface_test {

namespace {

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

const std::vector<std::string>& busybox_applets() {
  static const std::vector<std::string> applets = [] {
    std::vector<std::string> v;
    auto r = execute({"/bin/busybox", "--list"});
    std::istringstream in(r.out);
    for (std::string line; std::getline(in, line);)
      if (!line.empty() && line != "busybox") v.push_back(line);
    return v;
  }();
  return applets;
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

bool contains(const std::string& hay, const std::string& needle) {
  return hay.find(needle) != std::string::npos;
}

std::string trim(std::string s) {
  auto ws = " \t\r\n";
  s.erase(s.find_last_not_of(ws) + 1);
  s.erase(0, s.find_first_not_of(ws));
  return s;
}

std::optional<std::string> status_field(const std::string& status, const std::string& field) {
  std::istringstream in(status);
  for (std::string line; std::getline(in, line);)
    if (line.rfind(field + ":", 0) == 0) return trim(line.substr(field.size() + 1));
  return std::nullopt;
}

Result execute(const std::vector<std::string>& argv, const RunOptions& opts) {
  static std::atomic<int> counter{0};
  auto dir = stdfs::path(kBase) / "io";
  stdfs::create_directories(dir);
  auto stem = dir / (std::to_string(getpid()) + "-" + std::to_string(counter++));
  auto out_path = stem.string() + ".out", err_path = stem.string() + ".err";
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    int in = open("/dev/null", O_RDONLY);
    int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (in < 0 || out < 0 || err < 0) _exit(126);
    // Move the passed fds out of the way first so dup2 onto low numbers cannot clobber them.
    std::vector<std::pair<int, int>> moved;
    for (auto [src, dst] : opts.fds) moved.push_back({fcntl(src, F_DUPFD_CLOEXEC, 100), dst});
    dup2(in, 0);
    dup2(out, 1);
    dup2(err, 2);
    int highest = 2;
    for (auto [src, dst] : moved) {
      dup2(src, dst);
      highest = std::max(highest, dst);
    }
    if (!opts.keep_extra_fds_open) syscall(SYS_close_range, unsigned(highest + 1), ~0U, 0U);
    for (const auto& [k, v] : opts.env)
      setenv(k.c_str(), v == kSelfPid ? std::to_string(getpid()).c_str() : v.c_str(), 1);
    execv(args[0], args.data());
    _exit(127);
  }
  Result r;
  r.code = wait_with_timeout(pid, opts.timeout_s);
  r.out = read_text(out_path);
  r.err = read_text(err_path);
  std::error_code ec;
  stdfs::remove(out_path, ec);
  stdfs::remove(err_path, ec);
  return r;
}

std::string unique_id(const std::string& tag) {
  static std::atomic<int> counter{0};
  std::random_device rd;
  std::ostringstream s;
  s << "sf-" << tag << "-" << getpid() << "-" << counter++ << "-" << std::hex << (rd() & 0xffff);
  return s.str();
}

json spec_config(const std::vector<std::string>& args) {
  auto caps = json::array({"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"});
  return {{"ociVersion", "1.0.2"},
          {"process",
           {{"terminal", false},
            {"user", {{"uid", 0}, {"gid", 0}}},
            {"args", args},
            {"env", {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"}},
            {"cwd", "/"},
            {"capabilities", {{"bounding", caps}, {"effective", caps}, {"permitted", caps}}},
            {"rlimits", {{{"type", "RLIMIT_NOFILE"}, {"hard", 1024}, {"soft", 1024}}}},
            {"noNewPrivileges", true}}},
          {"root", {{"path", "rootfs"}, {"readonly", false}}},
          {"hostname", "surface"},
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
            {{"destination", "/sys"},
             {"type", "sysfs"},
             {"source", "sysfs"},
             {"options", {"nosuid", "noexec", "nodev", "ro"}}}}},
          {"linux",
           {{"resources", {{"devices", {{{"allow", false}, {"access", "rwm"}}}}}},
            {"namespaces",
             {{{"type", "pid"}},
              {{"type", "network"}},
              {{"type", "ipc"}},
              {{"type", "uts"}},
              {{"type", "mount"}}}},
            {"maskedPaths", {"/proc/kcore", "/proc/keys", "/proc/timer_list", "/sys/firmware"}},
            {"readonlyPaths", {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"}}}}};
}

Bundle::Bundle(const std::string& tag)
    : id_(unique_id(tag)), dir_(stdfs::path(kBase) / id_), config_(spec_config({"sh"})) {
  auto root = rootfs();
  for (const char* d : {"bin", "proc", "sys", "dev", "etc", "tmp", "root"})
    stdfs::create_directories(root / d);
  stdfs::permissions(root / "tmp", stdfs::perms::all | stdfs::perms::sticky_bit);
  stdfs::copy_file("/bin/busybox", root / "bin/busybox");
  for (const auto& applet : busybox_applets()) stdfs::create_symlink("busybox", root / "bin" / applet);
  write_text(root / "etc/passwd", "root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000:user:/tmp:/bin/sh\n");
  write_text(root / "etc/group", "root:x:0:\ntty:x:5:\nuser:x:1000:\n");
}

Bundle::~Bundle() {
  std::error_code ec;
  stdfs::remove_all(dir_, ec);
}

Bundle& Bundle::args(const std::vector<std::string>& a) {
  config_["process"]["args"] = a;
  return *this;
}

void Bundle::save() const {
  write_text(dir_ / "config.json", config_.dump(2));
}

std::vector<std::string> agentrt_globals(const std::string& profile) {
  if (profile.empty()) return {};
  return {"--profile", profile};
}

Runtime::Runtime(std::string bin, const std::string& tag, std::vector<std::string> globals)
    : bin_(std::move(bin)),
      root_(stdfs::path(kBase) / ("root-" + unique_id(tag))),
      globals_(std::move(globals)) {
  stdfs::create_directories(root_);
}

Runtime::~Runtime() {
  for (const auto& id : ids_) execute(argv({"delete", "-f", id}));
  std::error_code ec;
  stdfs::remove_all(root_, ec);
}

std::vector<std::string> Runtime::argv(const std::vector<std::string>& args) const {
  std::vector<std::string> v{bin_, "--root", root_.string()};
  v.insert(v.end(), globals_.begin(), globals_.end());
  v.insert(v.end(), args.begin(), args.end());
  return v;
}

Result Runtime::operator()(const std::vector<std::string>& args, const RunOptions& opts) const {
  return execute(argv(args), opts);
}

Result Runtime::create(Bundle& b, const std::vector<std::string>& extra) const {
  b.save();
  track(b.id());
  std::vector<std::string> a{"create", "--bundle", b.dir().string()};
  a.insert(a.end(), extra.begin(), extra.end());
  a.push_back(b.id());
  return (*this)(a);
}

Result Runtime::run(Bundle& b, const std::vector<std::string>& extra) const {
  b.save();
  track(b.id());
  std::vector<std::string> a{"run", "--bundle", b.dir().string()};
  a.insert(a.end(), extra.begin(), extra.end());
  a.push_back(b.id());
  return (*this)(a);
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
  return s ? s->value("status", "") : "";
}

bool Runtime::wait_status(const std::string& id, const std::string& want, double timeout_s) const {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
  while (std::chrono::steady_clock::now() < deadline) {
    if (status(id) == want) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return status(id) == want;
}

ConsoleSocket::ConsoleSocket(const std::string& tag)
    : path_(stdfs::path(kBase) / (unique_id(tag) + ".sock")) {
  stdfs::create_directories(path_.parent_path());
  fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(fd_ >= 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path_.c_str(), sizeof(addr.sun_path) - 1);
  REQUIRE(bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
  REQUIRE(listen(fd_, 4) == 0);
}

ConsoleSocket::~ConsoleSocket() {
  if (fd_ >= 0) close(fd_);
  unlink(path_.c_str());
}

int ConsoleSocket::accept_fd(int timeout_ms) {
  pollfd p{fd_, POLLIN, 0};
  if (poll(&p, 1, timeout_ms) != 1) return -1;
  int conn = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
  if (conn < 0) return -1;
  char data[256];
  iovec iov{data, sizeof(data)};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))];
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof(control);
  int got = -1;
  if (recvmsg(conn, &msg, MSG_CMSG_CLOEXEC) >= 0) {
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
      if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
        std::memcpy(&got, CMSG_DATA(c), sizeof(int));
  }
  close(conn);
  return got;
}

std::string pty_converse(int master, const std::string& text, const std::string& until, int timeout_ms) {
  if (!text.empty() && write(master, text.data(), text.size()) != ssize_t(text.size())) return "";
  std::string got;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline && !contains(got, until)) {
    pollfd p{master, POLLIN, 0};
    if (poll(&p, 1, 50) == 1) {
      char buf[1024];
      ssize_t n = read(master, buf, sizeof(buf));
      if (n <= 0) break;
      got.append(buf, size_t(n));
    }
  }
  return got;
}

}  // namespace surface_test
