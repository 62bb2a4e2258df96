#include "runtime/safe_path.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "oci/support/error.hpp"

namespace agentrt::runtime {
namespace {

std::vector<std::string> split_components(const std::string& path) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    if (j > i) out.push_back(path.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

// The path relative to the root ("." for the root itself), without empty or "." components. ".." stays: the
// kernel clamps it at the root.
std::string relative(const std::string& path) {
  std::string out;
  for (const auto& c : split_components(path)) {
    if (c == ".") continue;
    if (!out.empty()) out += '/';
    out += c;
  }
  return out.empty() ? "." : out;
}

}  // namespace

std::string clean_path(const std::string& path) {
  std::vector<std::string> parts;
  for (const auto& c : split_components(path)) {
    if (c == ".") continue;
    if (c == "..") {
      if (!parts.empty()) parts.pop_back();
      continue;
    }
    parts.push_back(c);
  }
  std::string out;
  for (const auto& p : parts) out += "/" + p;
  return out.empty() ? "/" : out;
}

std::string parent_path(const std::string& clean) {
  auto pos = clean.rfind('/');
  if (pos == std::string::npos || pos == 0) return "/";
  return clean.substr(0, pos);
}

std::string base_name(const std::string& clean) {
  auto pos = clean.rfind('/');
  return pos == std::string::npos ? clean : clean.substr(pos + 1);
}

int try_open_in_root(int root_fd, const std::string& path, int flags) {
  struct open_how how {};
  how.flags = static_cast<uint64_t>(flags | O_CLOEXEC);
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  std::string rel = relative(path);
  for (;;) {
    long fd = syscall(SYS_openat2, root_fd, rel.c_str(), &how, sizeof how);
    if (fd >= 0) return static_cast<int>(fd);
    if (errno != EINTR && errno != EAGAIN) return -errno;
  }
}

UniqueFd open_in_root(int root_fd, const std::string& path, int flags) {
  int fd = try_open_in_root(root_fd, path, flags);
  if (fd < 0) throw sys_error("open " + path, -fd);
  return UniqueFd(fd);
}

UniqueFd mkdir_all_in_root(int root_fd, const std::string& path, unsigned mode) {
  // Walk the prefixes from the top so that every directory is created inside a directory that was itself
  // resolved in the root.
  std::string prefix;
  UniqueFd dir(dup(root_fd));
  if (!dir) throw sys_error("dup root fd");
  for (const auto& comp : split_components(path)) {
    if (comp == ".") continue;
    std::string next = prefix + "/" + comp;
    int fd = try_open_in_root(root_fd, next, O_PATH | O_DIRECTORY);
    if (fd == -ENOENT) {
      if (mkdirat(dir.get(), comp.c_str(), mode) < 0 && errno != EEXIST) throw sys_error("mkdir " + next);
      // Open what we created through its parent, without following: resolving `next` again from the root
      // could meet a different tree if someone swaps a directory meanwhile. A symlink here was dangling.
      fd = openat(dir.get(), comp.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0 && (errno == ELOOP || errno == ENOTDIR))
        throw Error("mkdir " + next + ": refusing to follow a dangling symlink", ENOENT);
      if (fd < 0) fd = -errno;
    }
    if (fd < 0) throw sys_error("open " + next, -fd);
    dir.reset(fd);
    prefix = next;
  }
  return dir;
}

UniqueFd ensure_file_in_root(int root_fd, const std::string& path, unsigned mode) {
  int fd = try_open_in_root(root_fd, path, O_PATH);
  if (fd >= 0) return UniqueFd(fd);
  if (fd != -ENOENT) throw sys_error("open " + path, -fd);
  auto comps = split_components(relative(path));
  if (comps.empty() || comps.back() == "." || comps.back() == "..")
    throw Error("create " + path + ": not a file path");
  std::string base = comps.back();
  comps.pop_back();
  std::string parent_rel;
  for (const auto& c : comps) parent_rel += "/" + c;
  UniqueFd parent = mkdir_all_in_root(root_fd, parent_rel);
  int created =
      openat(parent.get(), base.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, mode);
  if (created < 0 && errno != EEXIST) throw sys_error("create " + path);
  if (created >= 0) close(created);
  // As in mkdir_all_in_root: open through the parent, without following.
  UniqueFd file(openat(parent.get(), base.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
  if (!file) throw sys_error("open " + path);
  struct stat st {};
  if (fstat(file.get(), &st) < 0) throw sys_error("stat " + path);
  if (S_ISLNK(st.st_mode)) throw Error("create " + path + ": refusing to follow a dangling symlink", ENOENT);
  return file;
}

std::string fd_path(int fd) {
  return "/proc/self/fd/" + std::to_string(fd);
}

std::string fd_real_path(int fd) {
  std::string link = fd_path(fd);
  std::string buf(4096, '\0');
  ssize_t n = readlink(link.c_str(), buf.data(), buf.size());
  if (n < 0) throw sys_error("readlink " + link);
  buf.resize(static_cast<size_t>(n));
  return buf;
}

std::string container_path_of(int fd, const std::string& rootfs) {
  std::string real = fd_real_path(fd);
  if (rootfs == "/") return real;
  if (real == rootfs) return "/";
  if (real.size() > rootfs.size() && real.compare(0, rootfs.size(), rootfs) == 0 &&
      real[rootfs.size()] == '/')
    return real.substr(rootfs.size());
  throw Error("resolved path " + real + " is outside the rootfs " + rootfs);
}

}  // namespace agentrt::runtime
