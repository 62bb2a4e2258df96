// Rootless --systemd-cgroup with the user's own systemd instance: run in the nested kernel with systemd as
// PID 1 (tests/v2vm/guest/systemd-init.sh). The test (root) starts user@UID.service for its test user, as
// logind does at login or for a lingering user, and stops it again. runc (the reference) asks that instance
// for the container's scope; agentrt cannot and must refuse before making anything, naming what it needs.
// Hidden tag: only a systemd guest runs this ("[rootless_systemd]").
#include <unistd.h>

#include <catch2/catch.hpp>
#include <thread>

#include "fixture.hpp"
#include "integration_support/runtime.hpp"

using namespace rootless_test;

namespace {

// user@UID.service (and the user's /run/user/UID) for as long as the object lives.
class UserInstance {
 public:
  explicit UserInstance(const TestUser& user)
      : uid_(std::to_string(user.uid())), runtime_dir_("/run/user/" + uid_) {
    started_ = itest::execute({"systemctl", "start", "user@" + uid_ + ".service"}, 120);
    for (int i = 0; i < 300 && !ready(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  ~UserInstance() {
    itest::execute(
        {"systemctl", "stop", "user@" + uid_ + ".service", "user-runtime-dir@" + uid_ + ".service"}, 120);
  }
  bool ready() const { return stdfs::exists(private_socket()); }
  const itest::Result& start_result() const { return started_; }
  const stdfs::path& runtime_dir() const { return runtime_dir_; }
  stdfs::path private_socket() const { return runtime_dir_ / "systemd/private"; }

 private:
  std::string uid_;
  stdfs::path runtime_dir_;
  itest::Result started_;
};

}  // namespace

TEST_CASE("rootless --systemd-cgroup with the user's systemd instance", "[.][rootless_systemd]") {
  if (!stdfs::is_directory("/run/systemd/system")) {
    WARN("not run: systemd is not PID 1 here (run in tests/v2vm with guest/systemd-init.sh)");
    return;
  }
  std::string runtime = GENERATE("runc", "agentrt");
  INFO(runtime);
  Fixture f;
  UserInstance instance(f.user());
  INFO("systemctl start: " << instance.start_result().code << " " << instance.start_result().err);
  REQUIRE(instance.ready());
  std::map<std::string, std::string> env = {
      {"XDG_RUNTIME_DIR", instance.runtime_dir().string()},
      {"DBUS_SESSION_BUS_ADDRESS", "unix:path=" + (instance.runtime_dir() / "bus").string()}};
  auto& b = f.bundle(runtime, "usersd", {"cat", "/proc/self/cgroup"});
  auto r = f.rt(runtime, {"--systemd-cgroup", "run", "--bundle", b.dir().string(), b.id()}, env, 60);
  INFO("out: " << r.out << "\nerr: " << r.err);
  if (runtime == "runc") {
    // The reference: the container runs in a scope of the user's instance.
    CHECK(r.code == 0);
    CHECK_THAT(r.out, Catch::Contains("user@" + std::to_string(f.user().uid()) + ".service"));
  } else {
    CHECK(r.code != 0);
    CHECK_THAT(r.err, Catch::Contains("--systemd-cgroup as non-root needs the user's systemd instance: not "
                                      "supported") &&
                          Catch::Contains(instance.private_socket().string() + " exists"));
    CHECK_FALSE(stdfs::exists(instance.runtime_dir() / "agentrt" / b.id()));
    CHECK(itest::cgroups_named(b.id()).empty());
  }
}
