#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "engines/registration.hpp"
#include "oci/support/error.hpp"

using namespace agentrt;
using namespace agentrt::engines;

namespace {

const Registration kPlain{"agentrt", "/usr/bin/agentrt", ""};
const Registration kDev{"agentrt-dev", "/usr/bin/agentrt", "agent-dev"};

// A daemon.json with other keys and another runtime, in the form nlohmann's dump(2) writes.
const std::string kDaemonJson = R"({
  "log-driver": "journald",
  "runtimes": {
    "runsc": {
      "path": "/usr/local/bin/runsc",
      "runtimeArgs": [
        "--platform=systrap"
      ]
    }
  },
  "storage-driver": "overlay2"
}
)";

}  // namespace

TEST_CASE("docker install adds the runtime and keeps other keys and runtimes in order", "[engines][docker]") {
  Edit e = plan_install(Engine::docker, kDaemonJson, kPlain, "daemon.json");
  REQUIRE(e.text);
  auto doc = nlohmann::ordered_json::parse(*e.text);
  CHECK(doc["log-driver"] == "journald");
  CHECK(doc["storage-driver"] == "overlay2");
  CHECK(doc["runtimes"]["runsc"]["runtimeArgs"][0] == "--platform=systrap");
  CHECK(doc["runtimes"]["agentrt"] == nlohmann::json{{"path", "/usr/bin/agentrt"}});
  std::vector<std::string> keys;
  for (auto& [k, v] : doc.items()) keys.push_back(k);
  CHECK(keys == std::vector<std::string>{"log-driver", "runtimes", "storage-driver"});
  REQUIRE(e.changes.size() == 1);
  CHECK(e.changes[0].find("added runtime \"agentrt\"") != std::string::npos);
}

TEST_CASE("docker install --profile adds a variant with runtimeArgs", "[engines][docker]") {
  Edit e = plan_install(Engine::docker, kDaemonJson, kDev, "daemon.json");
  auto doc = nlohmann::json::parse(*e.text);
  CHECK(doc["runtimes"]["agentrt-dev"]["path"] == "/usr/bin/agentrt");
  CHECK(doc["runtimes"]["agentrt-dev"]["runtimeArgs"] == nlohmann::json::array({"--profile=agent-dev"}));
  CHECK(registration_name("", "agent-dev") == "agentrt-agent-dev");
  CHECK(registration_name("fast", "agent-dev") == "fast");
}

TEST_CASE("docker install twice gives byte-identical text and reports nothing", "[engines][docker]") {
  Edit first = plan_install(Engine::docker, kDaemonJson, kPlain, "daemon.json");
  Edit second = plan_install(Engine::docker, first.text, kPlain, "daemon.json");
  CHECK(second.text == first.text);
  CHECK(second.changes.empty());
}

TEST_CASE("docker install replaces an entry with another path", "[engines][docker]") {
  Edit first = plan_install(Engine::docker, kDaemonJson, kPlain, "daemon.json");
  Edit moved = plan_install(Engine::docker, first.text, {"agentrt", "/opt/agentrt", ""}, "daemon.json");
  CHECK(nlohmann::json::parse(*moved.text)["runtimes"]["agentrt"]["path"] == "/opt/agentrt");
  REQUIRE(moved.changes.size() == 1);
  CHECK(moved.changes[0].find("replaced") != std::string::npos);
}

TEST_CASE("docker uninstall restores the original bytes", "[engines][docker]") {
  Edit in = plan_install(Engine::docker, kDaemonJson, kPlain, "daemon.json");
  Edit out = plan_uninstall(Engine::docker, in.text, "agentrt", "daemon.json");
  CHECK(out.text == kDaemonJson);
  // The 4-space indentation of a file is kept too.
  std::string four = nlohmann::ordered_json::parse(kDaemonJson).dump(4) + "\n";
  Edit in4 = plan_install(Engine::docker, four, kPlain, "daemon.json");
  CHECK(in4.text->find("\n    \"runtimes\"") != std::string::npos);
  CHECK(plan_uninstall(Engine::docker, in4.text, "agentrt", "daemon.json").text == four);
}

TEST_CASE("docker install into a missing file creates it; uninstall removes it again", "[engines][docker]") {
  Edit in = plan_install(Engine::docker, std::nullopt, kPlain, "daemon.json");
  CHECK(*in.text ==
        "{\n  \"runtimes\": {\n    \"agentrt\": {\n      \"path\": \"/usr/bin/agentrt\"\n    }\n  }\n}\n");
  Edit out = plan_uninstall(Engine::docker, in.text, "agentrt", "daemon.json");
  CHECK_FALSE(out.text);
  CHECK(out.changes.size() == 2);
}

TEST_CASE("docker uninstall of a runtime that is not there changes nothing", "[engines][docker]") {
  Edit out = plan_uninstall(Engine::docker, kDaemonJson, "agentrt", "daemon.json");
  CHECK(out.text == kDaemonJson);
  CHECK(out.changes.empty());
}

TEST_CASE("docker refuses malformed JSON naming the file and the line", "[engines][docker]") {
  std::string bad = "{\n  \"log-driver\": \"journald\",\n  \"runtimes\": {,\n}\n";
  CHECK_THROWS_WITH(plan_install(Engine::docker, bad, kPlain, "/etc/docker/daemon.json"),
                    Catch::StartsWith("/etc/docker/daemon.json:3: not valid JSON"));
  CHECK_THROWS_WITH(plan_install(Engine::docker, std::string("[1]\n"), kPlain, "d.json"),
                    Catch::Contains("not a JSON object"));
  CHECK_THROWS_WITH(plan_install(Engine::docker, std::string("{\"runtimes\": 3}"), kPlain, "d.json"),
                    Catch::Contains("\"runtimes\" is not a JSON object"));
}
