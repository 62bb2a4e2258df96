#pragma once
// An unprivileged user made for the rootless suite, and everything it leaves: passwd, shadow, group,
// /etc/subuid, /etc/subgid and its home go again on destruction (also when a check failed), and a user of
// the same name that an interrupted run left is removed before a new one is made.
#include <sys/types.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "integration_support/process.hpp"

namespace rootless_test {

namespace stdfs = std::filesystem;

struct SubordinateRange {
  uint32_t start = 0, count = 0;
};

class TestUser {
 public:
  // subids: the range written to /etc/subuid and /etc/subgid (none when count is 0); useradd's own
  // automatic ranges are replaced by it.
  TestUser(std::string name, SubordinateRange subids);
  ~TestUser();
  TestUser(const TestUser&) = delete;
  TestUser& operator=(const TestUser&) = delete;

  const std::string& name() const { return name_; }
  uid_t uid() const { return uid_; }
  gid_t gid() const { return gid_; }
  const stdfs::path& home() const { return home_; }
  // A directory the user owns (mode 0700), for $XDG_RUNTIME_DIR.
  stdfs::path runtime_dir() const { return home_ / "xdg"; }
  // Runs argv as the user with a clean environment: HOME, USER, PATH and XDG_RUNTIME_DIR (runtime_dir())
  // unless env overrides them; an empty value unsets the variable.
  itest::Result run(const std::vector<std::string>& argv, std::map<std::string, std::string> env = {},
                    int timeout_s = 30) const;
  // Later run()s start in this cgroup2 directory (root moves the process there before dropping to the
  // user, as a login manager places a user's session in its delegated subtree); "" for the caller's own.
  void run_in_cgroup(const stdfs::path& dir) { cgroup_ = dir; }
  // Later run()s keep the user's supplementary groups from /etc/group, as a login session has them
  // (setpriv --init-groups), instead of none.
  void run_with_login_groups(bool on) { login_groups_ = on; }
  // chown -R of a path the test made for the user.
  void give(const stdfs::path& path) const;

  // Lines of /etc/passwd, /etc/shadow, /etc/group, /etc/subuid, /etc/subgid naming `name`, and whether its
  // home exists: what must be empty once the user is gone.
  static std::vector<std::string> traces(const std::string& name, const stdfs::path& home);

 private:
  std::string name_;
  stdfs::path home_;
  uid_t uid_ = 0;
  gid_t gid_ = 0;
  stdfs::path cgroup_;
  bool login_groups_ = false;
};

}  // namespace rootless_test
