#include "cgroups/cgroupfs.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <memory>
#include <sstream>
#include <thread>

#include "oci/support/error.hpp"
#include "oci/support/fs.hpp"
#include "oci/support/unique_fd.hpp"

namespace agentrt::cgroups::cgroupfs {
namespace {

constexpr auto kRetryDelay = std::chrono::milliseconds(10);

}  // namespace

bool is_dir(const std::string& p) {
  struct stat st;
  return ::stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::vector<std::string> missing_dirs(const std::string& root, const std::string& path) {
  std::vector<std::string> out;
  std::string cur = root;
  std::istringstream in(path);
  std::string comp;
  while (std::getline(in, comp, '/')) {
    if (comp.empty()) continue;
    cur = fs::join(cur, comp);
    if (!out.empty() || !is_dir(cur)) out.push_back(cur);
  }
  return out;
}

std::vector<std::string> make_dirs(const std::vector<std::string>& dirs) {
  std::vector<std::string> made;
  for (const auto& d : dirs) {
    if (::mkdir(d.c_str(), 0755) < 0) {
      // A cgroup's own files exist too: "/x/cgroup.procs" must not pass for a cgroup.
      if (errno == EEXIST && is_dir(d)) continue;
      int err = errno;
      for (auto it = made.rbegin(); it != made.rend(); ++it) ::rmdir(it->c_str());
      throw sys_error("create cgroup " + d, err);
    }
    made.push_back(d);
  }
  return made;
}

bool rmdir_retry(const std::string& dir) {
  const auto deadline = std::chrono::steady_clock::now() + kBusyWait;
  for (;;) {
    if (::rmdir(dir.c_str()) == 0 || errno == ENOENT) return true;
    if (errno != EBUSY) throw sys_error("remove cgroup " + dir);
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(kRetryDelay);
  }
}

void remove_children(const std::string& dir) {
  std::unique_ptr<DIR, int (*)(DIR*)> d(::opendir(dir.c_str()), ::closedir);
  if (!d) return;
  std::vector<std::string> subs;
  while (dirent* e = ::readdir(d.get())) {
    std::string name = e->d_name;
    if (e->d_type == DT_DIR && name != "." && name != "..") subs.push_back(fs::join(dir, name));
  }
  for (const auto& sub : subs) {
    remove_children(sub);
    if (!rmdir_retry(sub)) throw sys_error("remove cgroup " + sub, EBUSY);
  }
}

void remove_created(const std::vector<std::string>& created, const std::string& own) {
  for (auto it = created.rbegin(); it != created.rend(); ++it) {
    if (*it == own) {
      // Usually it is empty: sub-cgroups (made inside the container) are listed only when it stays.
      if (::rmdir(own.c_str()) == 0 || errno == ENOENT) continue;
      remove_children(own);
      if (!rmdir_retry(own)) throw sys_error("remove cgroup " + own, EBUSY);
      continue;
    }
    if (::rmdir(it->c_str()) < 0 && errno != ENOENT) {
      if (errno == EBUSY || errno == ENOTEMPTY) return;  // still used by another cgroup
      throw sys_error("remove cgroup " + *it);
    }
  }
}

int write(const std::string& dir, const std::string& file, const std::string& value) {
  std::string p = fs::join(dir, file);
  UniqueFd fd(::open(p.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd) return errno;
  ssize_t n = ::write(fd.get(), value.data(), value.size());
  if (n < 0) return errno;
  return static_cast<size_t>(n) == value.size() ? 0 : EIO;
}

std::vector<pid_t> read_procs(const std::string& dir, bool recursive) {
  std::vector<pid_t> out;
  auto text = fs::read_file_if_exists(fs::join(dir, "cgroup.procs"));
  if (!text) return out;
  std::istringstream in(*text);
  pid_t pid;
  while (in >> pid) out.push_back(pid);
  if (!recursive) return out;
  std::unique_ptr<DIR, int (*)(DIR*)> d(::opendir(dir.c_str()), ::closedir);
  if (!d) return out;
  while (dirent* e = ::readdir(d.get())) {
    std::string name = e->d_name;
    if (e->d_type != DT_DIR || name == "." || name == "..") continue;
    auto sub = read_procs(fs::join(dir, name), true);
    out.insert(out.end(), sub.begin(), sub.end());
  }
  return out;
}

void add_pid(const std::string& dir, pid_t pid) {
  int err = write(dir, "cgroup.procs", std::to_string(pid));
  if (err != 0) throw sys_error("add pid " + std::to_string(pid) + " to cgroup " + dir, err);
}

}  // namespace agentrt::cgroups::cgroupfs
