#include "cgroups/oom.hpp"

#include <fcntl.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "cgroups/cgroupfs.hpp"
#include "cgroups/stats.hpp"
#include "oci/support/error.hpp"
#include "oci/support/fs.hpp"
#include "oci/support/unique_fd.hpp"

namespace agentrt::cgroups {
namespace {

uint64_t oom_kill_count(const std::string& file) {
  auto text = fs::read_file_if_exists(file);
  return text ? parse_flat_keyed(*text)["oom_kill"] : 0;
}

void drain(int fd) {
  char buf[4096];
  while (::read(fd, buf, sizeof buf) > 0) {
  }
}

class OomWatcherV2 : public OomWatcher {
 public:
  explicit OomWatcherV2(const std::string& dir) : events_(fs::join(dir, "memory.events")) {
    fd_.reset(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
    if (!fd_) throw sys_error("inotify_init1");
    if (::inotify_add_watch(fd_.get(), events_.c_str(), IN_MODIFY) < 0)
      throw sys_error("inotify watch " + events_);
    last_ = oom_kill_count(events_);
  }
  int fd() const override { return fd_.get(); }
  uint64_t consume() override {
    drain(fd_.get());
    uint64_t now = oom_kill_count(events_);
    uint64_t delta = now > last_ ? now - last_ : 0;
    last_ = now;
    return delta;
  }

 private:
  std::string events_;
  UniqueFd fd_;
  uint64_t last_ = 0;
};

class OomWatcherV1 : public OomWatcher {
 public:
  explicit OomWatcherV1(const std::string& dir) : control_(fs::join(dir, "memory.oom_control")) {
    efd_.reset(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
    if (!efd_) throw sys_error("eventfd");
    UniqueFd ofd(::open(control_.c_str(), O_RDONLY | O_CLOEXEC));
    if (!ofd) throw sys_error("open " + control_);
    int err = cgroupfs::write(dir, "cgroup.event_control",
                              std::to_string(efd_.get()) + " " + std::to_string(ofd.get()));
    if (err != 0) throw sys_error("write " + fs::join(dir, "cgroup.event_control"), err);
    last_ = oom_kill_count(control_);
  }
  int fd() const override { return efd_.get(); }
  uint64_t consume() override {
    uint64_t events = 0;
    if (::read(efd_.get(), &events, sizeof events) != sizeof events) events = 0;
    // memory.oom_control counts kills (4.13+); the eventfd counts OOM situations, which without the
    // OOM killer (disableOOMKiller) are not kills but are still what `events` reports as "oom".
    uint64_t now = oom_kill_count(control_);
    uint64_t kills = now > last_ ? now - last_ : 0;
    last_ = now;
    return kills > 0 ? kills : events;
  }

 private:
  std::string control_;
  UniqueFd efd_;
  uint64_t last_ = 0;
};

}  // namespace

std::unique_ptr<OomWatcher> watch_oom_v2(const std::string& dir) {
  return std::make_unique<OomWatcherV2>(dir);
}
std::unique_ptr<OomWatcher> watch_oom_v1(const std::string& memory_dir) {
  return std::make_unique<OomWatcherV1>(memory_dir);
}

}  // namespace agentrt::cgroups
