// State -> state.json document.
#include "oci/state.hpp"

#include <catch2/catch.hpp>

using namespace agentrt::oci;
using nlohmann::json;

TEST_CASE("state serializes every field", "[state]") {
  State s;
  s.id = "agent-1";
  s.status = Status::running;
  s.pid = 4242;
  s.bundle = "/var/lib/agents/agent-1";
  s.annotations = {{"run.agentrt.profile", "agent-default"}};
  json j = to_json(s);
  CHECK(j == json{{"ociVersion", "1.2.0"},
                  {"id", "agent-1"},
                  {"status", "running"},
                  {"pid", 4242},
                  {"bundle", "/var/lib/agents/agent-1"},
                  {"annotations", {{"run.agentrt.profile", "agent-default"}}}});
}

TEST_CASE("a stopped state keeps pid 0 and omits empty annotations", "[state]") {
  State s{.id = "c", .status = Status::stopped, .bundle = "/b", .annotations = {}};
  json j = to_json(s);
  REQUIRE(j.contains("pid"));
  CHECK(j["pid"] == 0);
  CHECK(j["status"] == "stopped");
  CHECK_FALSE(j.contains("annotations"));
}

TEST_CASE("every status has its runtime-spec name", "[state]") {
  CHECK(std::string(to_string(Status::creating)) == "creating");
  CHECK(std::string(to_string(Status::created)) == "created");
  CHECK(std::string(to_string(Status::running)) == "running");
  CHECK(std::string(to_string(Status::paused)) == "paused");
  CHECK(std::string(to_string(Status::stopped)) == "stopped");
  State s;
  CHECK(to_json(s)["status"] == "creating");
}
