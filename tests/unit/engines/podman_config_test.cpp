#include <catch2/catch.hpp>

#include "engines/registration.hpp"
#include "engines/toml_lines.hpp"

using namespace agentrt::engines;

namespace {

const Registration kPlain{"agentrt", "/usr/bin/agentrt", ""};

// Comments, other tables, a multi-line array and a runtimes table that already lists crun.
const std::string kContainersConf = R"(# containers.conf of this host
[containers]
default_capabilities = [
  "CHOWN",   # keep
  "KILL",
]
netns = "none" # no network

[engine]
cgroup_manager = "cgroupfs"

[engine.runtimes]
# the runtimes podman may use
crun = ["/usr/bin/crun"]

# volume plugins below
[engine.volume_plugins]
)";

const std::string kWithoutRuntimes = "# only containers\n[containers]\nnetns = \"none\"\n";

}  // namespace

TEST_CASE("podman install adds the runtime to [engine.runtimes] and keeps every other line",
          "[engines][podman]") {
  Edit e = plan_install(Engine::podman, kContainersConf, kPlain, "containers.conf");
  REQUIRE(e.text);
  std::string want = kContainersConf;
  std::string crun = "crun = [\"/usr/bin/crun\"]\n";
  want.insert(want.find(crun) + crun.size(), "agentrt = [\"/usr/bin/agentrt\"]\n");
  CHECK(*e.text == want);
  TomlLines doc(*e.text, "containers.conf");
  CHECK(doc.value("engine.runtimes", "agentrt") == "[\"/usr/bin/agentrt\"]");
  CHECK(doc.value("containers", "netns") == "\"none\"");
}

TEST_CASE("podman install appends the table when the file has none; uninstall restores the bytes",
          "[engines][podman]") {
  Edit e = plan_install(Engine::podman, kWithoutRuntimes, kPlain, "containers.conf");
  CHECK(*e.text == kWithoutRuntimes + "\n[engine.runtimes]\nagentrt = [\"/usr/bin/agentrt\"]\n");
  Edit out = plan_uninstall(Engine::podman, e.text, "agentrt", "containers.conf");
  CHECK(out.text == kWithoutRuntimes);
}

TEST_CASE("podman install twice is byte-identical; uninstall restores the original", "[engines][podman]") {
  Edit first = plan_install(Engine::podman, kContainersConf, kPlain, "containers.conf");
  Edit second = plan_install(Engine::podman, first.text, kPlain, "containers.conf");
  CHECK(second.text == first.text);
  CHECK(second.changes.empty());
  Edit out = plan_uninstall(Engine::podman, first.text, "agentrt", "containers.conf");
  CHECK(out.text == kContainersConf);
  CHECK(plan_uninstall(Engine::podman, out.text, "agentrt", "containers.conf").changes.empty());
}

TEST_CASE("podman install into a missing file creates it; uninstall removes it", "[engines][podman]") {
  Edit e = plan_install(Engine::podman, std::nullopt, kPlain, "containers.conf");
  CHECK(*e.text == "[engine.runtimes]\nagentrt = [\"/usr/bin/agentrt\"]\n");
  CHECK_FALSE(plan_uninstall(Engine::podman, e.text, "agentrt", "containers.conf").text);
}

TEST_CASE("podman refuses a profile variant and says how to pass the profile", "[engines][podman]") {
  CHECK_THROWS_WITH(plan_install(Engine::podman, kContainersConf,
                                 {"agentrt-dev", "/usr/bin/agentrt", "agent-dev"}, "containers.conf"),
                    Catch::Contains("--runtime-flag profile=agent-dev"));
}

TEST_CASE("podman refuses a malformed containers.conf naming the file and the line", "[engines][podman]") {
  std::string unclosed = "[containers]\nnetns = \"none\"\n[engine\nruntime = \"crun\"\n";
  CHECK_THROWS_WITH(plan_install(Engine::podman, unclosed, kPlain, "/etc/containers/containers.conf"),
                    "/etc/containers/containers.conf:3: table header without a closing ']'");
  std::string no_value = "[engine]\nruntime crun\n";
  CHECK_THROWS_WITH(plan_install(Engine::podman, no_value, kPlain, "c.conf"),
                    Catch::StartsWith("c.conf:2: expected `key = value`"));
  std::string open_array = "[containers]\ndefault_sysctls = [\n  \"a=1\",\n";
  CHECK_THROWS_WITH(plan_install(Engine::podman, open_array, kPlain, "c.conf"),
                    Catch::StartsWith("c.conf:2: the value of default_sysctls never ends"));
  std::string open_string = "[engine]\nruntime = \"crun\n";
  CHECK_THROWS_WITH(plan_install(Engine::podman, open_string, kPlain, "c.conf"),
                    Catch::StartsWith("c.conf:2: unterminated string"));
}

TEST_CASE("toml keys that are not bare are quoted", "[engines][toml]") {
  CHECK(toml_key("agentrt-dev") == "agentrt-dev");
  CHECK(toml_key("agent rt") == "\"agent rt\"");
  CHECK(toml_string("a\"b\\c") == "\"a\\\"b\\\\c\"");
  TomlLines doc("[a . \"b c\" . d]  # x\nk = 1\n\"q.k\" = '''x\ny'''\n", "t.toml");
  CHECK(doc.value("a.\"b c\".d", "k") == "1");
  CHECK(doc.value("a.\"b c\".d", "\"q.k\"") == "'''x\ny'''");
}

TEST_CASE("podman refuses runtimes defined as a key instead of a table", "[engines][podman]") {
  std::string inline_table =
      "[engine]\ncgroup_manager = \"cgroupfs\"\nruntimes = { crun = [\"/usr/bin/crun\"] }\n";
  CHECK_THROWS_WITH(plan_install(Engine::podman, inline_table, kPlain, "c.conf"),
                    Catch::StartsWith("c.conf:3: engine.runtimes is defined as a key here"));
  std::string dotted = "engine.runtimes.crun = [\"/usr/bin/crun\"]\n";
  CHECK_THROWS_WITH(plan_install(Engine::podman, dotted, kPlain, "c.conf"), Catch::StartsWith("c.conf:1: "));
}
