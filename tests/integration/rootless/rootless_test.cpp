// agentrt as an unprivileged user made by the test, checked against runc 1.1.5 with the same steps.
#include <catch2/catch.hpp>
#include <fstream>
#include <regex>

#include "fixture.hpp"
#include "integration_support/runtime.hpp"
#include "integration_support/wait.hpp"

using namespace rootless_test;

namespace {

// "0 1000 1" from a uid_map line with its padding collapsed.
std::string squeeze(const std::string& text) {
  return std::regex_replace(std::regex_replace(text, std::regex("[ \t]+"), " "), std::regex("(^|\n) "), "$1");
}

std::string status_of(Fixture& f, const std::string& runtime, const std::string& id) {
  auto r = f.rt(runtime, {"state", id});
  if (r.code != 0) return "";
  return itest::json::parse(r.out).value("status", "");
}

// The Uid: line of /proc/<pid>/status: real, effective, saved, fs uid as the host sees them.
std::string host_uids(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("Uid:", 0) == 0) return squeeze(line.substr(4));
  return "";
}

// The State: letter of /proc/<pid>/status, "" when the process is gone.
std::string host_state(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("State:", 0) == 0) return squeeze(line.substr(6)).substr(1, 1);
  return "";
}

bool unified_host() {
  return stdfs::exists("/sys/fs/cgroup/cgroup.controllers");
}

}  // namespace

TEST_CASE("rootless: create, start, exec, kill, delete as an unprivileged user", "[rootless]") {
  std::string runtime = GENERATE("runc", "agentrt");
  INFO(runtime);
  Fixture f;
  auto& b = f.bundle(runtime, "life", {"sleep", "300"});
  const std::string& id = b.id();
  auto r = f.rt(runtime, {"create", "--bundle", b.dir().string(), id});
  REQUIRE(r.code == 0);
  CHECK(status_of(f, runtime, id) == "created");
  REQUIRE(f.rt(runtime, {"start", id}).code == 0);
  CHECK(status_of(f, runtime, id) == "running");
  auto state = itest::json::parse(f.rt(runtime, {"state", id}).out);
  int pid = state.value("pid", 0);
  REQUIRE(pid > 0);
  if (runtime == "agentrt") {
    // No cgroup for the user here, so the agent policy's pids limit is recorded as not enforced.
    auto not_enforced = state["agentrt"]["agentPolicy"].value("notEnforced", itest::json::array());
    REQUIRE(not_enforced.size() == 1);
    CHECK_THAT(not_enforced[0].get<std::string>(), Catch::StartsWith("pids limit: not enforced"));
  }
  // Container root is the user on the host.
  std::string uid = std::to_string(f.user().uid());
  CHECK(host_uids(pid) == uid + " " + uid + " " + uid + " " + uid);
  CHECK(stdfs::exists(f.state_root(runtime) / id));

  r = f.rt(runtime, {"exec", id, "sh", "-c", "id -u; cat /proc/self/uid_map"});
  INFO(r.err);
  CHECK(r.code == 0);
  CHECK(squeeze(r.out) == "0\n0 " + uid + " 1\n");

  CHECK(f.rt(runtime, {"kill", id, "KILL"}).code == 0);
  CHECK(itest::eventually([&] { return status_of(f, runtime, id) == "stopped"; }, 10));
  CHECK(f.rt(runtime, {"delete", id}).code == 0);
  CHECK(f.leftovers(runtime, id).empty());
  // Gone, or a zombie left to the suite's subreaper.
  CHECK(itest::eventually([&] { return host_state(pid) == "" || host_state(pid) == "Z"; }, 5));
}

TEST_CASE("rootless: run of a spec --rootless bundle, exit code and agent policy", "[rootless]") {
  std::string runtime = GENERATE("runc", "agentrt");
  INFO(runtime);
  Fixture f;
  auto& b =
      f.bundle(runtime, "run",
               {"sh", "-c", "cat /proc/self/uid_map; grep NoNewPrivs /proc/self/status; hostname; exit 3"});
  auto r = f.rt(runtime, {"run", "--bundle", b.dir().string(), b.id()});
  INFO(r.err);
  CHECK(r.code == 3);
  std::string out = squeeze(r.out);
  CHECK_THAT(out, Catch::StartsWith("0 " + std::to_string(f.user().uid()) + " 1\n"));
  // `spec --rootless` asks noNewPrivileges; the agent policy keeps it.
  CHECK_THAT(out, Catch::Contains("NoNewPrivs: 1") || Catch::Contains("NoNewPrivs:\t1"));
  CHECK(f.leftovers(runtime, b.id()).empty());
}

TEST_CASE("rootless: subordinate id ranges are mapped through newuidmap and newgidmap", "[rootless]") {
  std::string runtime = GENERATE("runc", "agentrt");
  INFO(runtime);
  Fixture f;
  auto& b = f.bundle(runtime, "subids",
                     {"sh", "-c", "cat /proc/self/uid_map /proc/self/gid_map /proc/self/setgroups"});
  itest::json own = {{"containerID", 0}, {"hostID", f.user().uid()}, {"size", 1}};
  itest::json range = {{"containerID", 1}, {"hostID", kSubids.start}, {"size", kSubids.count}};
  b.config()["linux"]["uidMappings"] = {own, range};
  own["hostID"] = f.user().gid();
  b.config()["linux"]["gidMappings"] = {own, range};
  f.save(b);
  auto r = f.rt(runtime, {"run", "--bundle", b.dir().string(), b.id()});
  INFO(r.err);
  CHECK(r.code == 0);
  std::string range_line = "1 " + std::to_string(kSubids.start) + " " + std::to_string(kSubids.count) + "\n";
  CHECK(squeeze(r.out) == "0 " + std::to_string(f.user().uid()) + " 1\n" + range_line + "0 " +
                              std::to_string(f.user().gid()) + " 1\n" + range_line + "allow\n");
  CHECK(f.leftovers(runtime, b.id()).empty());
}

// runc's rule for a runtime without root: the container's process keeps the groups it inherited (a login
// session's, here the user's own group, which is gid 0 inside), and additionalGids are refused.
TEST_CASE("rootless: supplementary groups with multi-range maps", "[rootless][groups]") {
  std::string runtime = GENERATE("runc", "agentrt");
  INFO(runtime);
  Fixture f;
  f.user().run_with_login_groups(true);
  auto& b = f.bundle(runtime, "groups", {"sh", "-c", "grep ^Groups: /proc/self/status"});
  itest::json own = {{"containerID", 0}, {"hostID", f.user().uid()}, {"size", 1}};
  itest::json range = {{"containerID", 1}, {"hostID", kSubids.start}, {"size", kSubids.count}};
  b.config()["linux"]["uidMappings"] = {own, range};
  own["hostID"] = f.user().gid();
  b.config()["linux"]["gidMappings"] = {own, range};
  f.save(b);
  auto r = f.rt(runtime, {"run", "--bundle", b.dir().string(), b.id()});
  INFO(r.err);
  CHECK(r.code == 0);
  CHECK(squeeze(r.out) == "Groups: 0 \n");

  b.config()["process"]["user"]["additionalGids"] = {1, 2};
  f.save(b);
  r = f.rt(runtime, {"run", "--bundle", b.dir().string(), b.id()});
  CHECK(r.code != 0);
  CHECK_THAT(r.err, Catch::Contains("cannot set any additional groups in a rootless container"));
  if (runtime == "agentrt") CHECK_THAT(r.err, Catch::Contains("process.user.additionalGids"));
  CHECK(r.out.empty());
  CHECK(f.leftovers(runtime, b.id()).empty());
}

// With systemd as PID 1 (tests/v2vm/run_systemd.sh) agentrt refuses before making anything, as it cannot use
// the user's systemd instance; without systemd both runtimes say systemd is not running.
TEST_CASE("rootless failure: --systemd-cgroup", "[rootless][failure][systemd]") {
  std::string runtime = GENERATE("runc", "agentrt");
  INFO(runtime);
  Fixture f;
  auto& b = f.bundle(runtime, "systemd", {"true"});
  auto r = f.rt(runtime, {"--systemd-cgroup", "run", "--bundle", b.dir().string(), b.id()});
  INFO(r.err);
  CHECK(r.code != 0);
  const bool systemd = stdfs::is_directory("/run/systemd/system");
  if (runtime == "agentrt" && systemd)
    CHECK_THAT(r.err, Catch::Contains("--systemd-cgroup as non-root needs the user's systemd instance: not "
                                      "supported") &&
                          Catch::Contains((f.user().runtime_dir() / "systemd/private").string()));
  if (!systemd) CHECK_THAT(r.err, Catch::Contains("systemd not running on this host"));
  CHECK(f.leftovers(runtime, b.id()).empty());
}

TEST_CASE("rootless failure: a user without subordinate ids", "[rootless][failure]") {
  std::string runtime = GENERATE("runc", "agentrt");
  INFO(runtime);
  Fixture f(SubordinateRange{0, 0});
  auto& b = f.bundle(runtime, "nosubids", {"true"});
  itest::json range = {{"containerID", 1}, {"hostID", kSubids.start}, {"size", kSubids.count}};
  b.config()["linux"]["uidMappings"].push_back(range);
  f.save(b);
  auto r = f.rt(runtime, {"run", "--bundle", b.dir().string(), b.id()});
  CHECK(r.code != 0);
  if (runtime == "agentrt") {
    CHECK_THAT(r.err, Catch::Contains("linux.uidMappings: newuidmap") && Catch::Contains("not allowed"));
  }
  CHECK(f.leftovers(runtime, b.id()).empty());
}

TEST_CASE("rootless failure: uidmap tools missing", "[rootless][failure]") {
  std::string runtime = GENERATE("runc", "agentrt");
  INFO(runtime);
  Fixture f;
  auto& b = f.bundle(runtime, "nouidmap", {"true"});
  itest::json range = {{"containerID", 1}, {"hostID", kSubids.start}, {"size", kSubids.count}};
  b.config()["linux"]["uidMappings"].push_back(range);
  f.save(b);
  // A PATH without /usr/bin is what a host without the uidmap package looks like to the runtime.
  auto r = f.rt(runtime, {"run", "--bundle", b.dir().string(), b.id()}, {{"PATH", "/nonexistent"}});
  CHECK(r.code != 0);
  if (runtime == "agentrt") {
    CHECK_THAT(r.err, Catch::Contains("linux.uidMappings: newuidmap not found") && Catch::Contains("uidmap"));
  }
  CHECK(f.leftovers(runtime, b.id()).empty());
}

TEST_CASE("rootless failure: no usable state directory", "[rootless][failure]") {
  std::string runtime = GENERATE("runc", "agentrt");
  INFO(runtime);
  Fixture f;
  auto& b = f.bundle(runtime, "nostate", {"true"});
  stdfs::path read_only = f.user().home() / "read-only";
  stdfs::create_directory(read_only);
  f.user().give(read_only);
  stdfs::permissions(read_only, stdfs::perms::owner_read | stdfs::perms::owner_exec);
  auto r =
      f.rt(runtime, {"run", "--bundle", b.dir().string(), b.id()}, {{"XDG_RUNTIME_DIR", read_only.string()}});
  CHECK(r.code != 0);
  CHECK(stdfs::is_empty(read_only));
  if (runtime == "agentrt") {
    CHECK_THAT(r.err, Catch::Contains("$XDG_RUNTIME_DIR") && Catch::Contains("Permission denied"));
  }
  r = f.rt(runtime, {"run", "--bundle", b.dir().string(), b.id()}, {{"XDG_RUNTIME_DIR", ""}});
  CHECK(r.code != 0);
  if (runtime == "agentrt") {
    CHECK_THAT(r.err, Catch::Contains("XDG_RUNTIME_DIR") && Catch::Contains("--root"));
  }
  CHECK(f.leftovers(runtime, b.id()).empty());
}

TEST_CASE("rootless failure: limits asked without a delegated cgroup", "[rootless][failure]") {
  std::string runtime = GENERATE("runc", "agentrt");
  std::string resource = GENERATE("pids", "memory");
  INFO(runtime << " " << resource);
  Fixture f;
  auto& b = f.bundle(runtime, "limits-" + resource, {"true"});
  if (resource == "pids")
    b.resources()["pids"]["limit"] = 32;
  else
    b.resources()["memory"]["limit"] = 64 << 20;
  f.save(b);
  auto r = f.rt(runtime, {"run", "--bundle", b.dir().string(), b.id()});
  CHECK(r.code != 0);
  if (runtime == "agentrt") {
    // v1 hierarchies (this host) or a v2 tree the user was not given (the nested kernel's leg).
    CHECK_THAT(r.err, Catch::Contains("linux.resources." + resource + ".limit: cannot set this limit"));
    CHECK_THAT(r.err, Catch::Contains(unified_host() ? "no delegated cgroup v2 subtree" : "hybrid"));
  }
  CHECK(f.leftovers(runtime, b.id()).empty());
}

TEST_CASE("--cgroup-manager disabled: no cgroup, and a limit is refused by name", "[rootless]") {
  Fixture f;
  auto& b = f.bundle("agentrt", "nocgroup", {"true"});
  auto r = f.rt("agentrt", {"--cgroup-manager", "disabled", "run", "--bundle", b.dir().string(), b.id()});
  INFO(r.err);
  CHECK(r.code == 0);
  b.resources()["pids"]["limit"] = 32;
  f.save(b);
  r = f.rt("agentrt", {"--cgroup-manager", "disabled", "run", "--bundle", b.dir().string(), b.id()});
  CHECK(r.code != 0);
  CHECK_THAT(r.err,
             Catch::Contains("linux.resources.pids.limit") && Catch::Contains("--cgroup-manager disabled"));
  CHECK(f.leftovers("agentrt", b.id()).empty());
  r = f.rt("agentrt", {"--cgroup-manager", "bogus", "list"});
  CHECK(r.code != 0);
  CHECK_THAT(r.err, Catch::Contains("--cgroup-manager") && Catch::Contains("bogus"));
  CHECK(f.rt("agentrt", {"--cgroup-manager", "cgroupfs", "list"}).code == 0);
}

TEST_CASE("rootless: features runs unprivileged and says what rootless gets", "[rootless]") {
  Fixture f;
  auto r = f.rt("agentrt", {"features"}, {{"XDG_RUNTIME_DIR", ""}});
  REQUIRE(r.code == 0);
  auto annotations = itest::json::parse(r.out).at("annotations");
  CHECK(annotations.value("run.agentrt.rootless", "") == "true");
  CHECK(annotations.value("run.agentrt.rootless.cgroups", "") == "delegated-v2");
  // spec --rootless needs no state directory either.
  CHECK(
      f.rt("agentrt", {"spec", "--rootless", "--bundle", f.user().home().string()}, {{"XDG_RUNTIME_DIR", ""}})
          .code == 0);
}

TEST_CASE("rootless: the test user leaves no trace", "[rootless]") {
  { Fixture f; }
  CHECK(TestUser::traces(kUserName, stdfs::path("/tmp") / (std::string(kUserName) + "-home")).empty());
}
