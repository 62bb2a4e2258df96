#include "oci/support/fs.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "oci/support/error.hpp"
#include "oci/support/unique_fd.hpp"

namespace agentrt::fs {
namespace {

void write_all(int fd, const std::string& data, const std::string& path) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw sys_error("write " + path);
    }
    off += static_cast<size_t>(n);
  }
}

std::string read_all(int fd, const std::string& path) {
  std::string out;
  char buf[8192];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw sys_error("read " + path);
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

}  // namespace

std::optional<std::string> read_file_if_exists(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) {
    if (errno == ENOENT) return std::nullopt;
    throw sys_error("open " + path);
  }
  return read_all(fd.get(), path);
}

std::string read_file(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) throw sys_error("open " + path);
  return read_all(fd.get(), path);
}

void write_existing(const std::string& path, const std::string& data) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd) throw sys_error("open " + path);
  write_all(fd.get(), data, path);
}

void write_file(const std::string& path, const std::string& data, unsigned mode) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode));
  if (!fd) throw sys_error("open " + path);
  write_all(fd.get(), data, path);
}

void write_file_atomic(const std::string& path, const std::string& data, unsigned mode) {
  std::string tmp = path + ".tmp";
  write_file(tmp, data, mode);
  if (::rename(tmp.c_str(), path.c_str()) < 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    throw sys_error("rename " + tmp + " to " + path, err);
  }
}

bool exists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

void mkdir_all(const std::string& path, unsigned mode) {
  if (path.empty()) return;
  std::string cur;
  size_t pos = 0;
  while (pos != std::string::npos) {
    size_t next = path.find('/', pos + 1);
    cur = path.substr(0, next);
    pos = next;
    if (cur.empty() || cur == "/") continue;
    if (::mkdir(cur.c_str(), mode) < 0 && errno != EEXIST) throw sys_error("mkdir " + cur);
  }
}

std::string join(const std::string& a, const std::string& b) {
  if (a.empty()) return b;
  if (b.empty()) return a;
  bool as = a.back() == '/', bs = b.front() == '/';
  if (as && bs) return a + b.substr(1);
  if (!as && !bs) return a + "/" + b;
  return a + b;
}

std::string trim(const std::string& s) {
  size_t end = s.find_last_not_of(" \t\r\n");
  return end == std::string::npos ? std::string() : s.substr(0, end + 1);
}

}  // namespace agentrt::fs
