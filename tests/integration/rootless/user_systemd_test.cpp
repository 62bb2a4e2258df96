// Rootless --systemd-cgroup with the user's own systemd instance: run in the nested kernel with systemd as
// PID 1 (tests/v2vm/guest/systemd-init.sh). The test (root) starts user@UID.service for its test user, as
// logind does at login or for a lingering user, and stops it again. runc (the reference) asks that instance
// for the container's scope; agentrt cannot and must refuse before making anything, naming what it needs.
// Hidden tag: only a systemd guest runs this ("[rootless_systemd]").
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <thread>

#include "fixture.hpp"
#include "integration_support/runtime.hpp"

using namespace rootless_test;

namespace {

// The user's systemd instance for as long as the object lives: user@UID.service as logind starts it; where
// its dependency user-runtime-dir@UID.service cannot run (the guest has no logind), the same `systemd --user`
// as a transient service of the user, with /run/user/UID made as that service would make it.
class UserInstance {
 public:
  explicit UserInstance(const TestUser& user)
      : uid_(std::to_string(user.uid())),
        gid_(std::to_string(user.gid())),
        runtime_dir_("/run/user/" + uid_) {
    // logind makes /run/user/UID for user@.service, and the system bus carries the user instance's requests
    // to PID 1; started here when the boot did not, and stopped again.
    for (const char* unit : {"dbus.service", "systemd-logind.service"})
      if (itest::execute({"/bin/systemctl", "is-active", "--quiet", unit}).code != 0) {
        itest::execute({"/bin/systemctl", "start", unit}, 60);
        started_units_.push_back(unit);
      }
    started_ = itest::execute({"/bin/systemctl", "start", "user@" + uid_ + ".service"}, 120);
    if (started_.code != 0) {
      why_not_user_service_ =
          itest::execute({"/bin/systemctl", "status", "--no-pager", "user-runtime-dir@" + uid_ + ".service"},
                         30)
              .out;
      stdfs::create_directories(runtime_dir_);
      itest::execute({"/bin/chown", uid_ + ":" + gid_, runtime_dir_.string()});
      stdfs::permissions(runtime_dir_, stdfs::perms::owner_all);
      started_ = itest::execute(
          {"/bin/systemd-run", "--unit=" + transient_, "--uid=" + uid_, "--gid=" + gid_, "-p", "Delegate=yes",
           "-p", "Type=notify", "--setenv=XDG_RUNTIME_DIR=" + runtime_dir_.string(), "/lib/systemd/systemd",
           "--user"},
          120);
    }
    for (int i = 0; started_.code == 0 && i < 300 && !ready(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  ~UserInstance() {
    itest::execute({"/bin/systemctl", "stop", "user@" + uid_ + ".service",
                    "user-runtime-dir@" + uid_ + ".service", transient_ + ".service"},
                   120);
    std::error_code ec;
    stdfs::remove_all(runtime_dir_, ec);
    for (auto it = started_units_.rbegin(); it != started_units_.rend(); ++it)
      itest::execute({"/bin/systemctl", "stop", *it}, 60);
  }
  bool ready() const { return stdfs::exists(private_socket()); }
  const itest::Result& start_result() const { return started_; }
  const std::string& why_not_user_service() const { return why_not_user_service_; }
  const stdfs::path& runtime_dir() const { return runtime_dir_; }
  stdfs::path private_socket() const { return runtime_dir_ / "systemd/private"; }

 private:
  std::string uid_, gid_;
  stdfs::path runtime_dir_;
  std::string transient_ = "rootless-it-user-instance";
  itest::Result started_;
  std::string why_not_user_service_;
  std::vector<std::string> started_units_;
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
  INFO("user@.service refused: " << instance.why_not_user_service());
  INFO("start: " << instance.start_result().code << " " << instance.start_result().err);
  REQUIRE(instance.ready());
  std::map<std::string, std::string> env = {
      {"XDG_RUNTIME_DIR", instance.runtime_dir().string()},
      {"DBUS_SESSION_BUS_ADDRESS", "unix:path=" + (instance.runtime_dir() / "bus").string()}};
  auto& b = f.bundle(runtime, "usersd", {"cat", "/proc/self/cgroup"});
  // Without a cgroup namespace /proc/self/cgroup shows where the container really is.
  auto& ns = b.config()["linux"]["namespaces"];
  ns.erase(std::remove_if(ns.begin(), ns.end(), [](const itest::json& n) { return n["type"] == "cgroup"; }),
           ns.end());
  f.save(b);
  std::vector<std::string> run = {f.binary(runtime), "--systemd-cgroup", "run",
                                  "--bundle",        b.dir().string(),   b.id()};
  if (runtime == "runc") {
    // As rootless Podman does, the runtime starts in a scope of the user's instance, which otherwise cannot
    // move it: processes outside its subtree are moved by PID 1 at its request over the system bus.
    run.insert(run.begin(), {"/bin/systemd-run", "--user", "--scope", "--quiet"});
    auto r = f.user().run(run, env, 90);
    INFO("out: " << r.out << "\nerr: " << r.err);
    if (r.code != 0 && r.out.empty() && r.err.empty()) {
      WARN(
          "not run: runc (the reference) could not be started in a scope of the user's instance here "
          "(systemd-run --user --scope failed: no system D-Bus / logind in this guest)");
      return;
    }
    // The reference: the container runs in a scope the user's instance made for it.
    CHECK(r.code == 0);
    CHECK_THAT(r.out, Catch::Contains("/user@" + std::to_string(f.user().uid()) + ".service/") &&
                          Catch::Contains("/runc-" + b.id() + ".scope"));
  } else {
    // The refusal comes before any bus is used, wherever the runtime runs.
    auto r = f.user().run(run, env, 90);
    INFO("out: " << r.out << "\nerr: " << r.err);
    CHECK(r.code != 0);
    CHECK_THAT(r.err, Catch::Contains("--systemd-cgroup as non-root needs the user's systemd instance: not "
                                      "supported") &&
                          Catch::Contains(instance.private_socket().string() + " exists"));
    CHECK(r.out.empty());
    CHECK_FALSE(stdfs::exists(instance.runtime_dir() / "agentrt" / b.id()));
    CHECK(itest::cgroups_named(b.id()).empty());
  }
}
