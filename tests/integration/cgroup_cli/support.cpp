#include "support.hpp"

#include <catch2/catch.hpp>

namespace cgroup_cli_test {

namespace {

const char* kBase = "/run/agentrt-cc-tests";

std::string unique_id(const std::string& tag) {
  return itest::unique_id("cc", tag);
}

}  // namespace

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
