#include "engines/config_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>

#include "oci/support/error.hpp"
#include "oci/support/fs.hpp"
#include "oci/support/unique_fd.hpp"

namespace agentrt::engines {
namespace {

std::string parent_of(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

void write_all(int fd, const std::string& data, const std::string& what) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw sys_error("write " + what);
    done += static_cast<size_t>(n);
  }
}

// Unlinks the temp file unless the rename consumed it.
class TempFile {
 public:
  explicit TempFile(std::string path) : path_(std::move(path)) {}
  ~TempFile() {
    if (!path_.empty()) ::unlink(path_.c_str());
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  void keep() { path_.clear(); }

 private:
  std::string path_;
};

}  // namespace

std::string resolve_config_path(const std::string& path) {
  char buf[PATH_MAX];
  if (::realpath(path.c_str(), buf)) return buf;
  if (errno == ENOENT) return path;
  throw sys_error("resolve " + path);
}

std::optional<std::string> read_config(const std::string& path) {
  return fs::read_file_if_exists(path);
}

void replace_config(const std::string& path, const std::string& text) {
  std::string dir = parent_of(path);
  fs::mkdir_all(dir);
  struct stat old {};
  bool existed = ::stat(path.c_str(), &old) == 0;
  if (!existed && errno != ENOENT) throw sys_error("stat " + path);

  std::string tmp_path = path + ".agentrt-XXXXXX";
  UniqueFd fd(::mkstemp(tmp_path.data()));
  if (!fd) throw sys_error("create a temp file next to " + path);
  TempFile tmp(tmp_path);
  write_all(fd.get(), text, tmp_path);
  mode_t mode = existed ? old.st_mode & 07777 : 0644;
  if (::fchmod(fd.get(), mode) < 0) throw sys_error("chmod " + tmp_path);
  if (existed && ::fchown(fd.get(), old.st_uid, old.st_gid) < 0) throw sys_error("chown " + tmp_path);
  if (::fsync(fd.get()) < 0) throw sys_error("fsync " + tmp_path);
  if (::rename(tmp_path.c_str(), path.c_str()) < 0) throw sys_error("rename " + tmp_path + " to " + path);
  tmp.keep();
  UniqueFd dir_fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir_fd || ::fsync(dir_fd.get()) < 0) throw sys_error("fsync directory " + dir);
}

void remove_config(const std::string& path) {
  if (::unlink(path.c_str()) < 0 && errno != ENOENT) throw sys_error("remove " + path);
}

}  // namespace agentrt::engines
