#pragma once
// Shared helpers for the cgroup integration tests: a manager on a unique absolute test path that is
// always cleaned up, children that wait for a go signal once placed in the cgroup, and file access by
// controller that works on v1 and v2 alike.
#include <fcntl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "cgroups/manager.hpp"
#include "oci/support/error.hpp"
#include "oci/support/fs.hpp"

namespace cgtest {

using agentrt::cgroups::Manager;

// The container's directory for a controller ("" = the v2 directory, or the first v1 hierarchy).
inline std::string dir_of(const Manager& m, const std::string& controller) {
  auto s = m.save();
  if (s.at("layout") == "unified") return agentrt::fs::join(s["mountpoint"], s["path"]);
  for (const auto& d : s.at("dirs")) {
    for (const auto& c : d.at("controllers"))
      if (c == controller) return agentrt::fs::join(d["mountpoint"], d["path"]);
  }
  return "";
}

inline bool is_v2(const Manager& m) {
  return m.layout() == agentrt::cgroups::Layout::unified;
}

inline std::string read_trim(const std::string& path) {
  return agentrt::fs::trim(agentrt::fs::read_file(path));
}

inline std::string unique_top() {
  static std::atomic<int> n{0};
  return "/agentrt-test-" + std::to_string(::getpid()) + "-" + std::to_string(n++);
}

// A forked child that blocks until go(), then runs body and exits with its return value.
class Child {
 public:
  explicit Child(const std::function<int()>& body) {
    int p[2];
    if (::pipe2(p, O_CLOEXEC) < 0) throw agentrt::sys_error("pipe2");
    // Catch2's fatal-signal handlers must not run in the child (they would print a test report): signals
    // stay blocked across fork until the child has reset them, so even an immediate kill finds SIG_DFL.
    sigset_t all, old;
    ::sigfillset(&all);
    ::sigprocmask(SIG_SETMASK, &all, &old);
    pid_ = ::fork();
    if (pid_ == 0) {
      for (int sig = 1; sig < NSIG; ++sig) ::signal(sig, SIG_DFL);
      ::sigprocmask(SIG_SETMASK, &old, nullptr);
      ::close(p[1]);
      char c;
      if (::read(p[0], &c, 1) != 1) ::_exit(120);
      ::close(p[0]);
      ::_exit(body());
    }
    ::sigprocmask(SIG_SETMASK, &old, nullptr);
    if (pid_ < 0) throw agentrt::sys_error("fork");
    ::close(p[0]);
    go_ = p[1];
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  ~Child() {
    if (go_ >= 0) ::close(go_);
    if (pid_ > 0 && !reaped_) {
      // A v1-frozen child cannot die before its cgroup is thawed (TestCgroup does that later): do not
      // wait for it forever.
      ::kill(pid_, SIGKILL);
      int status;
      wait_for(std::chrono::milliseconds(500), status);
    }
  }
  pid_t pid() const { return pid_; }
  void go() {
    char c = 'g';
    if (::write(go_, &c, 1) != 1) throw agentrt::sys_error("write go pipe");
    ::close(go_);
    go_ = -1;
  }
  // Raw wait status.
  int wait() {
    int status = 0;
    if (::waitpid(pid_, &status, 0) < 0) throw agentrt::sys_error("waitpid");
    reaped_ = true;
    return status;
  }
  // Waits up to timeout; returns false if the child is still running.
  bool wait_for(std::chrono::milliseconds timeout, int& status) {
    auto end = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < end) {
      pid_t r = ::waitpid(pid_, &status, WNOHANG);
      if (r == pid_) {
        reaped_ = true;
        return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return false;
  }

 private:
  pid_t pid_ = -1;
  int go_ = -1;
  bool reaped_ = false;
};

// A manager for <unique top>/<leaf>, created on construction and always torn down: every process in it
// is killed and the directories it made are removed, even when the test failed.
class TestCgroup {
 public:
  // <top>/<leaf>, with a fresh unique top unless one is given.
  explicit TestCgroup(const std::string& leaf = "c", const std::string& top = "") {
    top_ = top.empty() ? unique_top() : top;
    agentrt::cgroups::Config cfg;
    cfg.id = "agentrt-test";
    cfg.cgroups_path = top_ + "/" + leaf;
    m_ = agentrt::cgroups::create_manager(cfg);
    m_->create();
  }
  // Any configuration (systemd paths...).
  explicit TestCgroup(const agentrt::cgroups::Config& cfg) : m_(agentrt::cgroups::create_manager(cfg)) {
    m_->create();
  }
  ~TestCgroup() {
    if (!m_) return;
    try {
      if (m_->frozen()) m_->thaw();
    } catch (...) {
    }
    try {
      m_->kill_all(SIGKILL);
    } catch (...) {
    }
    try {
      m_->destroy();
    } catch (...) {
    }
  }
  Manager& operator*() { return *m_; }
  Manager* operator->() { return m_.get(); }
  const std::string& top() const { return top_; }

 private:
  std::string top_;
  std::unique_ptr<Manager> m_;
};

inline std::unique_ptr<Child> sleeper() {
  auto c = std::make_unique<Child>([] {
    for (;;) ::pause();
    return 0;
  });
  return c;
}

}  // namespace cgtest
