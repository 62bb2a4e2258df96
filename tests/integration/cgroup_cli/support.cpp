#include "support.hpp"

#include <catch2/catch.hpp>
#include <sstream>

namespace cgroup_cli_test {

namespace {

const char* kBase = "/run/agentrt-cc-tests";

std::string unique_id(const std::string& tag) {
  return itest::unique_id("cc", tag);
}

}  // namespace

long long read_number(const stdfs::path& p) {
  std::string t = trim(read_text(p));
  INFO("reading " << p << ": '" << t << "'");
  REQUIRE(!t.empty());
  return t == "max" ? -1 : std::stoll(t);
}

std::map<std::string, stdfs::path> cgroup_dirs(int pid) {
  std::map<std::string, stdfs::path> dirs;
  std::istringstream in(read_text("/proc/" + std::to_string(pid) + "/cgroup"));
  for (std::string line; std::getline(in, line);) {
    auto a = line.find(':'), b = line.find(':', a + 1);
    if (a == std::string::npos || b == std::string::npos) continue;
    std::string controllers = line.substr(a + 1, b - a - 1), path = line.substr(b + 1);
    std::string mount = controllers.empty()                  ? "unified"
                        : controllers.rfind("name=", 0) == 0 ? controllers.substr(5)
                                                             : controllers;
    std::istringstream each(controllers.empty() ? std::string("unified") : controllers);
    for (std::string c; std::getline(each, c, ',');) {
      if (c.rfind("name=", 0) == 0) c = c.substr(5);
      dirs[c] = stdfs::path("/sys/fs/cgroup") / mount / path.substr(1);
    }
  }
  return dirs;
}

Fixture::Fixture() : Workspace(stdfs::path(kBase) / unique_id("fx")) {
  stdfs::create_directories(base() / "state");
}

Fixture::~Fixture() {
  for (const auto& b : bundles()) {
    execute(argv({"delete", "-f", b->id()}), 20);
  }
  for (const auto& b : bundles()) {
    auto left = leaked_cgroups(b->id());
    for (const auto& p : left) UNSCOPED_INFO("leaked cgroup " << p);
    CHECK(left.empty());
  }
}

Bundle& Fixture::bundle(const std::string& tag) {
  std::string id = unique_id(tag);
  auto& b = add_bundle(id, id, runc_spec("cgroupcli"));
  b.add_ctl_mount();
  return b;
}

Runtime Fixture::runtime(const std::string& profile) const {
  return Runtime(AGENTRT_BIN, base() / "state", profile_flags(profile));
}

std::vector<std::string> Fixture::argv(const std::vector<std::string>& args,
                                       const std::string& profile) const {
  return runtime(profile).argv(args);
}

Result Fixture::agentrt(const std::vector<std::string>& args, int timeout_s, const std::string& input,
                        const std::string& profile) const {
  RunOptions opts;
  opts.timeout_s = timeout_s;
  opts.input = input;
  return runtime(profile)(args, opts);
}

int Fixture::run_detached(Bundle& b, const std::string& profile) {
  b.save();
  Result c = agentrt({"create", "--bundle", b.dir().string(), b.id()}, 30, "", profile);
  INFO("create: " << c.all());
  REQUIRE(c.code == 0);
  Result s = agentrt({"start", b.id()}, 30, "", profile);
  INFO("start: " << s.all());
  REQUIRE(s.code == 0);
  auto st = state(b.id());
  REQUIRE(st);
  int pid = st->value("pid", 0);
  REQUIRE(pid > 0);
  return pid;
}

std::optional<json> Fixture::state(const std::string& id) const {
  return runtime().state(id);
}

std::string Fixture::status(const std::string& id) const {
  return runtime().status(id);
}

bool Fixture::wait_status(const std::string& id, const std::string& want, double timeout_s) const {
  return runtime().wait_status(id, want, timeout_s);
}

}  // namespace cgroup_cli_test
