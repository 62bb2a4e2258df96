#include "runtime/owned_processes.hpp"

#include <fcntl.h>
#include <linux/nsfs.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "cgroups/occupancy.hpp"
#include "oci/support/error.hpp"
#include "oci/support/unique_fd.hpp"

namespace agentrt::runtime {
namespace {

uint64_t inode_of(int fd) {
  struct stat st;
  return ::fstat(fd, &st) == 0 ? st.st_ino : 0;
}

// pid's pid namespace and its ancestors up to the runtime's own (NS_GET_PARENT stops there with EPERM).
std::vector<uint64_t> pid_ns_chain(pid_t pid) {
  std::vector<uint64_t> chain;
  UniqueFd ns(::open(("/proc/" + std::to_string(pid) + "/ns/pid").c_str(), O_RDONLY | O_CLOEXEC));
  while (ns) {
    chain.push_back(inode_of(ns.get()));
    ns.reset(::ioctl(ns.get(), NS_GET_PARENT));
  }
  return chain;
}

}  // namespace

Ownership split_members(const std::vector<Member>& members, uint64_t container_pid_ns) {
  Ownership out;
  for (const auto& m : members) {
    bool ours = container_pid_ns == 0 || std::find(m.pid_ns_chain.begin(), m.pid_ns_chain.end(),
                                                   container_pid_ns) != m.pid_ns_chain.end();
    (ours ? out.owned : out.foreign).push_back(m.pid);
  }
  return out;
}

uint64_t pid_ns_inode(pid_t pid) {
  struct stat st;
  std::string path = "/proc/" + std::to_string(pid) + "/ns/pid";
  return ::stat(path.c_str(), &st) == 0 ? st.st_ino : 0;
}

uint64_t container_pid_ns(pid_t init) {
  uint64_t ns = pid_ns_inode(init);
  return ns == pid_ns_inode(::getpid()) ? 0 : ns;
}

Ownership container_members(const Container& c) {
  if (!c.cgroup) return {};
  std::vector<pid_t> pids = c.cgroup->pids();
  if (c.rec.pid_ns == 0) return {pids, {}};
  std::vector<Member> members;
  for (pid_t pid : pids) {
    Member m{pid, pid_ns_chain(pid)};
    if (!m.pid_ns_chain.empty()) members.push_back(std::move(m));  // empty: it exited meanwhile
  }
  return split_members(members, c.rec.pid_ns);
}

void signal_container(const Container& c, int sig, const Logger& log) {
  if (!c.cgroup) return;
  Ownership members = container_members(c);
  if (members.foreign.empty()) {
    // The whole cgroup is the container's: one signal for all of it, forks caught (cgroup.kill, freezer).
    c.cgroup->kill_all(sig);
    return;
  }
  log.warn("cgroup " + c.cgroup->path() + " holds processes that are not container " + c.rec.id +
           "'s, left alone: " + cgroups::describe_occupants(cgroups::occupants_of(members.foreign)));
  auto pass = [&](const std::vector<pid_t>& pids) {
    for (pid_t pid : pids)
      if (::kill(pid, sig) < 0 && errno != ESRCH) throw sys_error("kill " + std::to_string(pid));
  };
  pass(members.owned);
  if (sig != SIGKILL) return;
  // A v1-frozen process dies only once thawed.
  if (c.cgroup->frozen()) c.cgroup->thaw();
  for (int i = 0; i < 600; ++i) {
    std::vector<pid_t> left = container_members(c).owned;
    if (left.empty()) return;
    if (i % 20 == 19) pass(left);  // forked meanwhile (a joined pid namespace has no init to take them)
    std::this_thread::sleep_for(std::chrono::milliseconds(i < 100 ? 1 : 10));
  }
  throw Error("container " + c.rec.id + ": processes still alive after SIGKILL");
}

}  // namespace agentrt::runtime
