#include "audit/trail.hpp"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <ctime>
#include <tuple>

#include "audit/log.hpp"
#include "audit/record.hpp"
#include "audit/supervisor.hpp"
#include "oci/support/error.hpp"
#include "oci/support/fs.hpp"

namespace agentrt::audit {
namespace {

// The fds the supervisor finds its listener, log and ready pipe at (its argv names them).
constexpr int kListenerFd = 3, kLogFd = 4, kReadyFd = 5;

UniqueFd open_log(const std::string& path, int extra_flags) {
  std::string dir = path.substr(0, path.rfind('/'));
  try {
    fs::mkdir_all(dir, 0700);
  } catch (const Error& e) {
    throw e.wrap("audit log directory");
  }
  UniqueFd fd(
      ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW | extra_flags, 0600));
  if (!fd) throw sys_error("open audit log " + path);
  return fd;
}

// While alive, this process's children are born in its own pid and time namespaces again (create and exec
// join the container's for theirs, which would put the supervisor inside the container, reading the wrong
// /proc and killed with it); the container's are restored after.
class OwnNamespacesForChildren {
 public:
  OwnNamespacesForChildren() {
    for (auto [own, children, flag] :
         {Ns{"/proc/self/ns/pid", "/proc/self/ns/pid_for_children", CLONE_NEWPID},
          Ns{"/proc/self/ns/time", "/proc/self/ns/time_for_children", CLONE_NEWTIME}}) {
      struct stat a {
      }, b{};
      if (::stat(own, &a) < 0 || ::stat(children, &b) < 0 || a.st_ino == b.st_ino) continue;
      UniqueFd saved(::open(children, O_RDONLY | O_CLOEXEC)), mine(::open(own, O_RDONLY | O_CLOEXEC));
      if (!saved || !mine || ::setns(mine.get(), flag) < 0)
        throw sys_error(std::string("audit supervisor: leave the container's namespace for children (") +
                        own + ")");
      restore_.emplace_back(std::move(saved), flag);
    }
  }
  // Only in the process that made it: the child forked in its scope keeps its own namespaces for children.
  ~OwnNamespacesForChildren() {
    if (::getpid() != owner_) return;
    for (auto& [fd, flag] : restore_) ::setns(fd.get(), flag);
  }

 private:
  using Ns = std::tuple<const char*, const char*, int>;
  pid_t owner_ = ::getpid();
  std::vector<std::pair<UniqueFd, int>> restore_;
};

void child_fail(int ready, const char* what, const char* why) {
  std::string text = std::string("audit supervisor: ") + what + ": " + why;
  if (::write(ready, text.data(), text.size()) < 0) {
  }
  ::_exit(127);
}

// The grandchild: fds 3, 4, 5 are the listener, the log and the ready pipe, nothing else stays open.
[[noreturn]] void exec_supervisor(int listener, int log, int ready, char** argv) {
  int high[3];
  int from[3] = {listener, log, ready};
  for (int i = 0; i < 3; ++i) high[i] = ::fcntl(from[i], F_DUPFD, 100);
  int to[3] = {kListenerFd, kLogFd, kReadyFd};
  for (int i = 0; i < 3; ++i)
    if (high[i] < 0 || ::dup2(high[i], to[i]) < 0) child_fail(ready, "arrange fds", std::strerror(errno));
  ::close_range(kReadyFd + 1, ~0U, 0);
  int null = ::open("/dev/null", O_RDWR);
  for (int std_fd = 0; std_fd < 3; ++std_fd) ::dup2(null, std_fd);
  if (null > 2) ::close(null);
  // exec keeps the signal mask and ignored signals: exec's runtime blocks the ones it forwards.
  sigset_t none;
  ::sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  for (int sig = 1; sig < NSIG; ++sig)
    if (sig != SIGKILL && sig != SIGSTOP) ::signal(sig, SIG_DFL);
  ::execv("/proc/self/exe", argv);
  child_fail(kReadyFd, "exec /proc/self/exe", std::strerror(errno));
  ::_exit(127);
}

}  // namespace

Trail Trail::start(const std::string& state_root, const std::string& id) {
  std::string path = log_path(state_root, id);
  return Trail(id, path, open_log(path, O_TRUNC), true);
}

Trail Trail::reopen(const std::string& state_root, const std::string& id) {
  std::string path = log_path(state_root, id);
  return Trail(id, path, open_log(path, 0), false);
}

Trail::~Trail() {
  if (remove_ && fd_) ::unlink(path_.c_str());
}

void Trail::notice(const std::string& message) {
  timespec ts{};
  ::clock_gettime(CLOCK_REALTIME, &ts);
  append(notice_record(static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec, message));
}

void Trail::append(const nlohmann::json& record) {
  std::string line = record.dump() + "\n";
  if (::write(fd_.get(), line.data(), line.size()) != static_cast<ssize_t>(line.size()))
    throw sys_error("write audit log " + path_);
}

pid_t Trail::start_supervisor(int listener_fd, const std::vector<AuditedCall>& calls) {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) < 0) throw sys_error("audit supervisor: pipe");
  UniqueFd ready_read(p[0]), ready_write(p[1]);
  // Built before fork: the children only make system calls.
  std::string table = encode_calls(calls), listener = std::to_string(kListenerFd),
              log = std::to_string(kLogFd), ready = std::to_string(kReadyFd), arg0 = "agentrt",
              mode = kSupervisorMode;
  std::string id = id_;
  char* argv[] = {arg0.data(),  mode.data(),  listener.data(), log.data(),
                  ready.data(), table.data(), id.data(),       nullptr};
  pid_t mid;
  {
    OwnNamespacesForChildren own;
    mid = ::fork();
  }
  if (mid < 0) throw sys_error("audit supervisor: fork");
  if (mid == 0) {
    ::setsid();
    pid_t sup = ::fork();
    if (sup < 0) child_fail(ready_write.get(), "fork", std::strerror(errno));
    if (sup > 0) ::_exit(0);
    exec_supervisor(listener_fd, fd_.get(), ready_write.get(), argv);
  }
  ready_write.reset();
  int status = 0;
  while (::waitpid(mid, &status, 0) < 0 && errno == EINTR) {
  }
  std::string answer;
  char buf[512];
  for (ssize_t n; (n = ::read(ready_read.get(), buf, sizeof buf)) != 0;) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw sys_error("audit supervisor: read its ready pipe");
    answer.append(buf, static_cast<size_t>(n));
  }
  if (answer.rfind("ok ", 0) == 0) return static_cast<pid_t>(std::stol(answer.substr(3)));
  if (answer.empty()) answer = "audit supervisor: exited before it was ready";
  throw Error(answer + " (audit log " + path_ + ")");
}

}  // namespace agentrt::audit
