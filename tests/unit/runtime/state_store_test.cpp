#include "runtime/state_store.hpp"

#include <catch2/catch.hpp>
#include <filesystem>

#include "oci/support/error.hpp"
#include "oci/support/fs.hpp"
#include "unit/runtime/test_tmpdir.hpp"

using agentrt::Error;
using agentrt::runtime::ConfigDetail;
using agentrt::runtime::ContainerRecord;
using agentrt::runtime::StateStore;
using agentrt::test::TempDir;

namespace {

ContainerRecord sample_record() {
  ContainerRecord r;
  r.id = "agent-1";
  r.bundle = "/b";
  r.rootfs = "/b/rootfs";
  r.pid = 4242;
  r.start_time = 123456789ULL;
  r.created = "2026-11-27T15:00:00.000000000Z";
  r.owner = "root";
  r.annotations = {{"run.agentrt.profile", "agent-dev"}, {"org.example", "x"}};
  r.hooks = {{"poststop", {{{"path", "/bin/true"}}}}};
  r.cgroup = {{"layout", "unified"}, {"path", "/agent-1"}};
  r.agent_policy = {{"profile", "agent-dev"}};
  r.systemd_cgroup = true;
  return r;
}

}  // namespace

TEST_CASE("a container record survives save and load", "[state_store]") {
  TempDir tmp;
  StateStore store(tmp.path());
  auto lock = store.create_locked("agent-1");
  ContainerRecord r = sample_record();
  store.save(r);
  ContainerRecord back = store.load("agent-1");
  CHECK(back.id == r.id);
  CHECK(back.bundle == r.bundle);
  CHECK(back.rootfs == r.rootfs);
  CHECK(back.pid == r.pid);
  CHECK(back.start_time == r.start_time);
  CHECK(back.created == r.created);
  CHECK(back.owner == r.owner);
  CHECK(back.annotations == r.annotations);
  CHECK(back.hooks == r.hooks);
  CHECK(back.cgroup == r.cgroup);
  CHECK(back.agent_policy == r.agent_policy);
  CHECK(back.systemd_cgroup);
  CHECK(back.phase == agentrt::runtime::Phase::created);
}

TEST_CASE("the phase of a record and the command in it survive save and load", "[state_store]") {
  TempDir tmp;
  StateStore store(tmp.path());
  auto lock = store.create_locked("agent-1");
  ContainerRecord r = sample_record();
  r.phase = agentrt::runtime::Phase::deleting;
  r.runtime_pid = 77;
  r.runtime_start_time = 88;
  r.pid_ns = 4026531836ULL;
  store.save(r);
  ContainerRecord back = store.load("agent-1");
  CHECK(back.phase == agentrt::runtime::Phase::deleting);
  CHECK(back.runtime_pid == 77);
  CHECK(back.runtime_start_time == 88);
  CHECK(back.pid_ns == 4026531836ULL);
}

TEST_CASE("create_locked refuses an id taken meanwhile; try_lock does not wait for a held lock",
          "[state_store]") {
  TempDir tmp;
  StateStore store(tmp.path());
  auto lock = store.create_locked("agent-1");
  CHECK_THROWS_WITH(store.create_locked("agent-1"), "container with id exists: agent-1");
  CHECK_FALSE(store.try_lock("agent-1"));
  CHECK_FALSE(store.try_lock("agent-2"));
  lock.reset();
  CHECK(store.try_lock("agent-1"));
}

TEST_CASE("the config is kept apart from the state, verbatim", "[state_store]") {
  TempDir tmp;
  StateStore store(tmp.path());
  auto lock = store.create_locked("agent-1");
  const std::string text =
      "{\"ociVersion\": \"1.2.0\", \"linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ERRNO\"}}}";
  store.save_config("agent-1", text);
  store.save(sample_record());
  CHECK(agentrt::fs::read_file(store.dir("agent-1") + "/config.json") == text);
  CHECK(store.load_config("agent-1")["linux"]["seccomp"]["defaultAction"] == "SCMP_ACT_ERRNO");
  // Commands that only need the state do not read (or parse) the config.
  CHECK(agentrt::fs::read_file(store.dir("agent-1") + "/state.json").find("seccomp") == std::string::npos);
}

TEST_CASE("exec's view of the config leaves out only the seccomp rules", "[state_store]") {
  TempDir tmp;
  StateStore store(tmp.path());
  auto lock = store.create_locked("agent-1");
  const nlohmann::json config = {
      {"ociVersion", "1.2.0"},
      {"annotations", {{"syscalls", "kept: not under linux.seccomp"}}},
      {"process", {{"args", {"sh"}}, {"syscalls", {{"names", {"kept"}}}}}},
      {"mounts", {{{"destination", "/proc"}, {"syscalls", "kept: inside an array"}}}},
      {"linux",
       {{"resources", {{"syscalls", "kept: a sibling of seccomp"}}},
        {"seccomp",
         {{"defaultAction", "SCMP_ACT_ERRNO"},
          {"listenerPath", "/run/listener.sock"},
          {"syscalls", {{{"names", {"read", "write"}}, {"action", "SCMP_ACT_ALLOW"}}}}}},
        {"maskedPaths", {"/proc/kcore"}}}}};
  store.save_config("agent-1", config.dump());

  nlohmann::json expected = config;
  expected["linux"]["seccomp"].erase("syscalls");
  CHECK(store.load_config("agent-1", ConfigDetail::without_seccomp_rules) == expected);
  CHECK(store.load_config("agent-1") == config);
}

TEST_CASE("a missing config is an error naming the container", "[state_store]") {
  TempDir tmp;
  StateStore store(tmp.path());
  auto lock = store.create_locked("agent-1");
  CHECK_THROWS_WITH(store.load_config("agent-1"),
                    Catch::Contains("state of agent-1") && Catch::Contains("config.json"));
  CHECK_THROWS_WITH(store.load("agent-1"), "container does not exist");
}

TEST_CASE("a container saved by the earlier layout (config inside state.json) still loads", "[state_store]") {
  TempDir tmp;
  StateStore store(tmp.path());
  auto lock = store.create_locked("old");
  nlohmann::json config = {{"ociVersion", "1.2.0"},
                           {"annotations", {{"run.agentrt.profile", "off"}}},
                           {"hooks", {{"poststop", {{{"path", "/bin/true"}}}}}}};
  nlohmann::json state = {{"id", "old"}, {"pid", 7}, {"config", config}};
  agentrt::fs::write_file_atomic(store.dir("old") + "/state.json", state.dump());
  ContainerRecord r = store.load("old");
  CHECK(r.pid == 7);
  CHECK(r.annotations.at("run.agentrt.profile") == "off");
  CHECK(r.hooks["poststop"][0]["path"] == "/bin/true");
  CHECK(store.load_config("old") == config);
}
