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

constexpr int kRetries = 100;
constexpr auto kRetryDelay = std::chrono::milliseconds(10);

bool is_dir(const std::string& p) {
  struct stat st;
  return ::stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

}  // namespace

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

std::vector<std::string> mkdir_tracked(const std::string& root, const std::string& path) {
  std::vector<std::string> made;
  for (const auto& d : missing_dirs(root, path)) {
    if (::mkdir(d.c_str(), 0755) < 0) {
      if (errno == EEXIST) continue;
      int err = errno;
      try {
        remove_dirs(made);
      } catch (const Error&) {
      }
      throw sys_error("create cgroup " + d, err);
    }
    made.push_back(d);
  }
  return made;
}

void remove_dirs(const std::vector<std::string>& created) {
  for (auto it = created.rbegin(); it != created.rend(); ++it) {
    for (int attempt = 0;; ++attempt) {
      if (::rmdir(it->c_str()) == 0 || errno == ENOENT) break;
      if (errno != EBUSY || attempt >= kRetries) throw sys_error("remove cgroup " + *it);
      std::this_thread::sleep_for(kRetryDelay);
    }
  }
}

void wait_removed(const std::string& dir) {
  for (int attempt = 0; is_dir(dir); ++attempt) {
    if (attempt >= kRetries) throw sys_error("remove cgroup " + dir, EBUSY);
    std::this_thread::sleep_for(kRetryDelay);
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
