// OCI hooks: each kind fires at its point with the state on stdin; failures and timeouts behave per the spec.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "support.hpp"

using namespace surface_test;

namespace {

// A hook that saves its stdin as DIR/NAME.json and appends NAME to DIR/order, then exits with code.
json recording_hook(const std::string& dir, const std::string& name, int code = 0) {
  return {{"path", "/bin/sh"},
          {"args",
           {"sh", "-c", "cat > \"$1/$2.json\"; echo \"$2\" >> \"$1/order\"; exit " + std::to_string(code),
            "sh", dir, name}}};
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> v;
  std::string cur;
  for (char ch : text) {
    if (ch == '\n') {
      v.push_back(cur);
      cur.clear();
    } else {
      cur += ch;
    }
  }
  if (!cur.empty()) v.push_back(cur);
  return v;
}

bool any_process_mentions(const std::string& needle) {
  for (const auto& e : stdfs::directory_iterator("/proc")) {
    auto name = e.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos || std::stoi(name) == getpid()) continue;
    auto cmd = read_text(e.path() / "cmdline");
    for (auto& ch : cmd)
      if (ch == '\0') ch = ' ';
    if (contains(cmd, needle)) return true;
  }
  return false;
}
}  // namespace

TEST_CASE("every hook kind fires in order with the state on stdin", "[hooks]") {
  Runtime rt(AGENTRT_BIN, "hk-all", agentrt_globals());
  Bundle b("hk-all");
  auto host_dir = (b.dir() / "rec").string();
  stdfs::create_directories(host_dir);
  b.args({"sleep", "1000"});
  auto& cfg = b.config();
  cfg["mounts"].push_back(
      {{"destination", "/rec"}, {"type", "bind"}, {"source", host_dir}, {"options", {"rbind"}}});
  cfg["hooks"] = {{"prestart", {recording_hook(host_dir, "prestart")}},
                  {"createRuntime", {recording_hook(host_dir, "createRuntime")}},
                  {"createContainer", {recording_hook(host_dir, "createContainer")}},
                  {"startContainer", {recording_hook("/rec", "startContainer")}},
                  {"poststart", {recording_hook(host_dir, "poststart")}},
                  {"poststop", {recording_hook(host_dir, "poststop")}}};
  auto order = [&] { return lines_of(read_text(host_dir + "/order")); };

  auto c = rt.create(b);
  INFO(c.err);
  REQUIRE(c.code == 0);
  CHECK(order() == std::vector<std::string>{"prestart", "createRuntime", "createContainer"});
  REQUIRE(rt({"start", b.id()}).code == 0);
  REQUIRE(rt.wait_status(b.id(), "running"));
  CHECK(order() == std::vector<std::string>{"prestart", "createRuntime", "createContainer", "startContainer",
                                            "poststart"});
  int pid = rt.state(b.id())->at("pid").get<int>();
  REQUIRE(rt({"kill", b.id(), "KILL"}).code == 0);
  REQUIRE(rt.wait_status(b.id(), "stopped"));
  REQUIRE(rt({"delete", b.id()}).code == 0);
  CHECK(order() == std::vector<std::string>{"prestart", "createRuntime", "createContainer", "startContainer",
                                            "poststart", "poststop"});

  // runc 1.1.5 reports poststart as "created" and the in-container hooks' pid as 1 (their own pid namespace's
  // view); the spec's "running" and the host pid are accepted too.
  const std::vector<std::pair<std::string, std::vector<std::string>>> expected_status = {
      {"prestart", {"creating"}},
      {"createRuntime", {"creating"}},
      {"createContainer", {"creating"}},
      {"startContainer", {"created"}},
      {"poststart", {"created", "running"}},
      {"poststop", {"stopped"}}};
  for (const auto& [name, statuses] : expected_status) {
    auto text = read_text(host_dir + "/" + name + ".json");
    INFO(name << ": " << text);
    auto st = json::parse(text, nullptr, false);
    REQUIRE(!st.is_discarded());
    CHECK(st.value("id", "") == b.id());
    CHECK(st.value("bundle", "") == b.dir().string());
    CHECK(std::find(statuses.begin(), statuses.end(), st.value("status", "")) != statuses.end());
    CHECK(st.contains("ociVersion"));
    bool in_container = name == "createContainer" || name == "startContainer";
    if (name == "poststop") continue;
    if (in_container)
      CHECK((st.value("pid", 0) == pid || st.value("pid", 0) == 1));
    else
      CHECK(st.value("pid", 0) == pid);
  }
}

TEST_CASE("a failing createRuntime or prestart hook fails create and leaves nothing behind", "[hooks]") {
  for (const char* kind : {"createRuntime", "prestart"}) {
    DYNAMIC_SECTION(kind) {
      Runtime rt(AGENTRT_BIN, "hk-fail", agentrt_globals());
      Bundle b("hk-fail");
      auto dir = (b.dir() / "rec").string();
      stdfs::create_directories(dir);
      b.args({"sleep", "1000"});
      b.config()["hooks"] = {{kind, {recording_hook(dir, kind, 3)}}};
      auto c = rt.create(b);
      CHECK(c.code != 0);
      CHECK(!c.err.empty());
      CHECK(lines_of(read_text(dir + "/order")) == std::vector<std::string>{kind});  // it did run
      CHECK(!stdfs::exists(rt.root() / b.id()));
      CHECK(rt({"state", b.id()}).code != 0);
      CHECK(!any_process_mentions(b.id()));
      // Any layout: v1 hierarchies, the hybrid unified mount, or pure v2 cgroups at the top.
      CHECK(itest::cgroups_named(b.id()).empty());
    }
  }
}

TEST_CASE("a failing poststart hook warns, the container runs and later hooks run", "[hooks]") {
  Runtime rt(AGENTRT_BIN, "hk-poststart", agentrt_globals());
  Bundle b("hk-poststart");
  auto dir = (b.dir() / "rec").string();
  stdfs::create_directories(dir);
  b.args({"sleep", "1000"});
  b.config()["hooks"] = {{"poststart", {recording_hook(dir, "first", 4), recording_hook(dir, "second")}},
                         {"poststop", {recording_hook(dir, "poststop")}}};
  REQUIRE(rt.create(b).code == 0);
  auto s = rt({"start", b.id()});
  INFO(s.err);
  CHECK(s.code == 0);
  CHECK(!s.err.empty());  // the warning
  CHECK(rt.wait_status(b.id(), "running"));
  CHECK(lines_of(read_text(dir + "/order")) == std::vector<std::string>{"first", "second"});
  CHECK(rt({"delete", "-f", b.id()}).code == 0);
  CHECK(lines_of(read_text(dir + "/order")) == std::vector<std::string>{"first", "second", "poststop"});
}

TEST_CASE("a failing poststop hook warns and delete succeeds", "[hooks]") {
  Runtime rt(AGENTRT_BIN, "hk-poststop", agentrt_globals());
  Bundle b("hk-poststop");
  auto dir = (b.dir() / "rec").string();
  stdfs::create_directories(dir);
  b.args({"true"});
  b.config()["hooks"] = {{"poststop", {recording_hook(dir, "bad", 9), recording_hook(dir, "after")}}};
  REQUIRE(rt.create(b).code == 0);
  REQUIRE(rt({"start", b.id()}).code == 0);
  REQUIRE(rt.wait_status(b.id(), "stopped"));
  auto d = rt({"delete", b.id()});
  INFO(d.err);
  CHECK(d.code == 0);
  CHECK(!d.err.empty());
  CHECK(lines_of(read_text(dir + "/order")) == std::vector<std::string>{"bad", "after"});
  CHECK(!stdfs::exists(rt.root() / b.id()));
}

TEST_CASE("a hook that outlives its timeout is killed and fails create", "[hooks]") {
  Runtime rt(AGENTRT_BIN, "hk-timeout", agentrt_globals());
  Bundle b("hk-timeout");
  auto dir = (b.dir() / "rec").string();
  stdfs::create_directories(dir);
  b.args({"sleep", "1000"});
  b.config()["hooks"] = {{"createRuntime",
                          {{{"path", "/bin/sh"},
                            {"args", {"sh", "-c", "echo $$ > \"$1/hook.pid\"; exec sleep 60", "sh", dir}},
                            {"timeout", 1}}}}};
  auto t0 = std::chrono::steady_clock::now();
  auto c = rt.create(b);
  auto took = std::chrono::steady_clock::now() - t0;
  CHECK(c.code != 0);
  CHECK(took < std::chrono::seconds(10));
  auto text = read_text(dir + "/hook.pid");
  REQUIRE(!text.empty());
  pid_t hook = std::stoi(text);
  bool gone = false;
  for (int i = 0; i < 100 && !gone; ++i) {
    auto stat = read_text("/proc/" + std::to_string(hook) + "/stat");
    gone = stat.empty() || contains(stat, ") Z ");
    if (!gone) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  CHECK(gone);
  CHECK(!stdfs::exists(rt.root() / b.id()));
}
