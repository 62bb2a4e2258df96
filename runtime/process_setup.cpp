#include "runtime/process_setup.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>

#include "oci/support/error.hpp"
#include "oci/support/fs.hpp"
#include "runtime/exec_path.hpp"
#include "runtime/passwd.hpp"

namespace agentrt::runtime {

void join_own_cgroups(const std::vector<std::string>& tasks_files) {
  for (const auto& f : tasks_files) {
    try {
      fs::write_existing(f, "0");
    } catch (const Error& e) {
      throw e.wrap("join cgroup");
    }
  }
}

void apply_rlimits(const std::vector<oci::Rlimit>& rlimits) {
  for (const auto& r : rlimits) {
    rlimit lim{static_cast<rlim_t>(r.soft), static_cast<rlim_t>(r.hard)};
    if (::setrlimit(static_cast<__rlimit_resource>(r.resource), &lim) < 0)
      throw sys_error("process.rlimits: setrlimit " + r.type + " soft " + std::to_string(r.soft) + " hard " +
                      std::to_string(r.hard));
  }
}

void apply_oom_score_adj(int value) {
  try {
    fs::write_existing("/proc/self/oom_score_adj", std::to_string(value));
  } catch (const Error& e) {
    throw e.wrap("process.oomScoreAdj");
  }
}

void apply_sysctls(const std::map<std::string, std::string>& sysctl) {
  for (const auto& [key, value] : sysctl) {
    std::string path = "/proc/sys/" + key;
    for (size_t i = 10; i < path.size(); ++i)
      if (path[i] == '.') path[i] = '/';
    if (key.find("..") != std::string::npos) throw Error("linux.sysctl: invalid key " + key);
    try {
      fs::write_existing(path, value);
    } catch (const Error& e) {
      throw e.wrap("linux.sysctl[" + key + "]");
    }
  }
}

void apply_personality(const oci::Personality& p) {
  unsigned long domain = p.domain == "LINUX32" ? PER_LINUX32 : PER_LINUX;
  if (::personality(domain) < 0) throw sys_error("linux.personality: set " + p.domain);
}

void apply_io_priority(const oci::IoPriority& p) {
  // <linux/ioprio.h> is not in every libc's headers; the encoding is class << 13 | level.
  int cls = p.io_class == "IOPRIO_CLASS_RT" ? 1 : p.io_class == "IOPRIO_CLASS_BE" ? 2 : 3;
  constexpr int kWhoProcess = 1;
  if (::syscall(SYS_ioprio_set, kWhoProcess, 0, (cls << 13) | p.priority) < 0)
    throw sys_error("process.ioPriority: ioprio_set " + p.io_class);
}

void bind_console() {
  char name[64];
  if (::ttyname_r(0, name, sizeof name) != 0) throw sys_error("ttyname of the console");
  int fd = ::open("/dev/console", O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) throw sys_error("create /dev/console");
  ::close(fd);
  if (::mount(name, "/dev/console", nullptr, MS_BIND, nullptr) < 0)
    throw sys_error(std::string("bind ") + name + " to /dev/console");
}

void apply_hostname(const std::string& hostname, const std::string& domainname) {
  if (!hostname.empty() && ::sethostname(hostname.data(), hostname.size()) < 0)
    throw sys_error("hostname: sethostname " + hostname);
  if (!domainname.empty() && ::setdomainname(domainname.data(), domainname.size()) < 0)
    throw sys_error("domainname: setdomainname " + domainname);
}

namespace {

std::string home_from_passwd(uint32_t uid) {
  auto text = fs::read_file_if_exists("/etc/passwd");
  if (!text) return "/";
  auto entry = find_passwd_entry(*text, uid);
  return entry && !entry->home.empty() ? entry->home : "/";
}

}  // namespace

std::vector<std::string> process_env(const oci::Process& p) {
  std::vector<std::string> env = p.env;
  if (!env_value(env, "HOME")) {
    try {
      env.push_back("HOME=" + home_from_passwd(p.user.uid));
    } catch (const Error&) {
      env.push_back("HOME=/");
    }
  }
  return env;
}

void cloexec_from(int first) {
  if (::syscall(SYS_close_range, first, ~0U, CLOSE_RANGE_CLOEXEC) == 0) return;
  // Kernels before 5.11: walk /proc/self/fd.
  DIR* d = ::opendir("/proc/self/fd");
  if (!d) throw sys_error("open /proc/self/fd");
  int self = ::dirfd(d);
  while (dirent* e = ::readdir(d)) {
    int fd = std::atoi(e->d_name);
    if (e->d_name[0] < '0' || e->d_name[0] > '9' || fd < first || fd == self) continue;
    ::fcntl(fd, F_SETFD, FD_CLOEXEC);
  }
  ::closedir(d);
}

void close_fds_except(std::vector<int> keep) {
  std::sort(keep.begin(), keep.end());
  unsigned next = 0;
  for (int fd : keep) {
    if (fd < 0) continue;
    auto u = static_cast<unsigned>(fd);
    if (u > next) ::syscall(SYS_close_range, next, u - 1, 0);
    next = u + 1;
  }
  ::syscall(SYS_close_range, next, ~0U, 0);
}

}  // namespace agentrt::runtime
