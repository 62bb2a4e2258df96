#include "test_user.hpp"

#include <pwd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "integration_support/text.hpp"

namespace rootless_test {
namespace {

const char* kIdFiles[] = {"/etc/passwd", "/etc/shadow", "/etc/group", "/etc/subuid", "/etc/subgid"};

std::string read_text(const stdfs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Drops the lines of /etc/subuid or /etc/subgid that belong to name (by name or by uid).
void drop_subid_lines(const char* file, const std::string& name, uid_t uid) {
  std::string kept;
  for (const auto& line : itest::split_lines(read_text(file))) {
    std::string owner = line.substr(0, line.find(':'));
    if (line.empty() || owner == name || (uid != 0 && owner == std::to_string(uid))) continue;
    kept += line + "\n";
  }
  std::ofstream(file, std::ios::trunc) << kept;
}

void remove_user(const std::string& name, const stdfs::path& home) {
  uid_t uid = 0;
  if (passwd* pw = ::getpwnam(name.c_str())) uid = pw->pw_uid;
  if (uid != 0) itest::execute({"/usr/sbin/userdel", "--remove", name});
  for (const char* f : {"/etc/subuid", "/etc/subgid"}) drop_subid_lines(f, name, uid);
  std::error_code ec;
  stdfs::remove_all(home, ec);
}

}  // namespace

TestUser::TestUser(std::string name, SubordinateRange subids)
    : name_(std::move(name)), home_(stdfs::path("/tmp") / (name_ + "-home")) {
  remove_user(name_, home_);
  auto r = itest::execute({"/usr/sbin/useradd", "--create-home", "--home-dir", home_.string(), "--shell",
                           "/bin/sh", "--user-group", name_});
  REQUIRE(r.code == 0);
  passwd* pw = ::getpwnam(name_.c_str());
  REQUIRE(pw != nullptr);
  uid_ = pw->pw_uid;
  gid_ = pw->pw_gid;
  for (const char* f : {"/etc/subuid", "/etc/subgid"}) {
    drop_subid_lines(f, name_, uid_);
    if (subids.count > 0)
      std::ofstream(f, std::ios::app) << name_ << ":" << subids.start << ":" << subids.count << "\n";
  }
  stdfs::permissions(home_, stdfs::perms::owner_all);
  stdfs::create_directory(runtime_dir());
  stdfs::permissions(runtime_dir(), stdfs::perms::owner_all);
  give(runtime_dir());
}

TestUser::~TestUser() {
  remove_user(name_, home_);
  auto left = traces(name_, home_);
  for (const auto& trace : left) WARN("rootless test user left a trace: " << trace);
}

itest::Result TestUser::run(const std::vector<std::string>& argv, std::map<std::string, std::string> env,
                            int timeout_s) const {
  std::map<std::string, std::string> vars = {{"HOME", home_.string()},
                                             {"USER", name_},
                                             {"PATH", "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin"},
                                             {"XDG_RUNTIME_DIR", runtime_dir().string()}};
  for (auto& [k, v] : env) vars[k] = v;
  std::vector<std::string> full;
  if (!cgroup_.empty())
    full = {"/bin/sh", "-c", "echo $$ > \"$0/cgroup.procs\" && exec \"$@\"", cgroup_.string()};
  std::vector<std::string> as_user = {"/usr/bin/setpriv",
                                      "--reuid",
                                      std::to_string(uid_),
                                      "--regid",
                                      std::to_string(gid_),
                                      login_groups_ ? "--init-groups" : "--clear-groups",
                                      "env",
                                      "-i"};
  full.insert(full.end(), as_user.begin(), as_user.end());
  for (auto& [k, v] : vars)
    if (!v.empty()) full.push_back(k + "=" + v);
  full.insert(full.end(), argv.begin(), argv.end());
  itest::RunOptions opts;
  opts.timeout_s = timeout_s;
  return itest::execute(full, opts);
}

void TestUser::give(const stdfs::path& path) const {
  auto r =
      itest::execute({"/bin/chown", "-R", std::to_string(uid_) + ":" + std::to_string(gid_), path.string()});
  REQUIRE(r.code == 0);
}

std::vector<std::string> TestUser::traces(const std::string& name, const stdfs::path& home) {
  std::vector<std::string> found;
  for (const char* f : kIdFiles)
    for (const auto& line : itest::split_lines(read_text(f)))
      if (line.rfind(name + ":", 0) == 0) found.push_back(std::string(f) + ": " + line);
  if (stdfs::exists(home)) found.push_back("home " + home.string());
  return found;
}

}  // namespace rootless_test
