#include <catch2/catch.hpp>

#include "runtime/owned_processes.hpp"
#include "runtime/status.hpp"

using namespace agentrt::runtime;
using agentrt::oci::Status;

TEST_CASE("ownership: without a pid namespace every process in the cgroup is the container's",
          "[ownership]") {
  auto split = split_members({{10, {1}}, {11, {7, 1}}}, 0);
  CHECK(split.owned == std::vector<pid_t>{10, 11});
  CHECK(split.foreign.empty());
}

TEST_CASE("ownership: with one, only processes in it or in a namespace below it", "[ownership]") {
  // 5 is the container's namespace, 9 one nested in it; 1 is the host's.
  auto split = split_members({{20, {5}}, {21, {9, 5}}, {22, {1}}, {23, {8}}}, 5);
  CHECK(split.owned == std::vector<pid_t>{20, 21});
  CHECK(split.foreign == std::vector<pid_t>{22, 23});
}

TEST_CASE("interruption: none for a committed record or while the command still runs", "[ownership]") {
  ContainerRecord r;
  r.id = "a";
  CHECK(interruption(r, false, Status::running).is_null());
  r.phase = Phase::deleting;
  CHECK(interruption(r, true, Status::paused).is_null());
}

TEST_CASE("interruption: a killed delete says why the container is paused", "[ownership]") {
  ContainerRecord r;
  r.id = "a";
  r.phase = Phase::deleting;
  auto paused = interruption(r, false, Status::paused);
  CHECK(paused["operation"] == "delete");
  CHECK(paused["reason"].get<std::string>().find("frozen") != std::string::npos);
  auto running = interruption(r, false, Status::running);
  CHECK(running["reason"].get<std::string>().find("next delete -f") != std::string::npos);
}

TEST_CASE("interruption: a killed create names the commands that clean it", "[ownership]") {
  ContainerRecord r;
  r.id = "a1";
  r.phase = Phase::creating;
  auto j = interruption(r, false, Status::stopped);
  CHECK(j["operation"] == "create");
  CHECK(j["reason"].get<std::string>().find("delete -f a1") != std::string::npos);
}
