#include "engines/containerd_config.hpp"

#include <catch2/catch.hpp>

#include "engines/registration.hpp"
#include "engines/toml_lines.hpp"

using namespace agentrt::engines;

namespace {

const Registration kPlain{"agentrt", "/usr/bin/agentrt", ""};
const std::string kRuntime = "plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.agentrt";

// A version 2 config with other plugins and the runc runtime, indented as `containerd config default` does.
const std::string kConfigToml = R"(version = 2
root = "/var/lib/containerd"

# CRI
[plugins]

  [plugins."io.containerd.grpc.v1.cri"]
    sandbox_image = "registry.k8s.io/pause:3.6"

    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"

      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false

  [plugins."io.containerd.snapshotter.v1.overlayfs"]
    root_path = ""
)";

}  // namespace

TEST_CASE("containerd install adds a CRI runtime run by the runc v2 shim", "[engines][containerd]") {
  Edit e = plan_install(Engine::containerd, kConfigToml, kPlain, "config.toml");
  REQUIRE(e.text);
  CHECK(e.text->substr(0, kConfigToml.size()) == kConfigToml);
  CHECK(e.text->substr(kConfigToml.size()) ==
        "\n[" + kRuntime + "]\nruntime_type = \"io.containerd.runc.v2\"\n\n[" + kRuntime +
            ".options]\nBinaryName = \"/usr/bin/agentrt\"\n");
  TomlLines doc(*e.text, "config.toml");
  CHECK(doc.value("plugins.\"io.containerd.snapshotter.v1.overlayfs\"", "root_path") == "\"\"");
  CHECK(e.changes.size() == 2);
}

TEST_CASE("containerd install twice is byte-identical; uninstall restores the original",
          "[engines][containerd]") {
  Edit first = plan_install(Engine::containerd, kConfigToml, kPlain, "config.toml");
  Edit second = plan_install(Engine::containerd, first.text, kPlain, "config.toml");
  CHECK(second.text == first.text);
  CHECK(second.changes.empty());
  CHECK(plan_uninstall(Engine::containerd, first.text, "agentrt", "config.toml").text == kConfigToml);
}

TEST_CASE("containerd install fixes a registration with another binary in place", "[engines][containerd]") {
  std::string old = kConfigToml + "\n[" + kRuntime + "]\n  runtime_type = \"io.containerd.runc.v2\"\n  [" +
                    kRuntime + ".options]\n    BinaryName = \"/old/agentrt\"  # old\n";
  Edit e = plan_install(Engine::containerd, old, kPlain, "config.toml");
  CHECK(*e.text == kConfigToml + "\n[" + kRuntime + "]\n  runtime_type = \"io.containerd.runc.v2\"\n  [" +
                       kRuntime + ".options]\n    BinaryName = \"/usr/bin/agentrt\"\n");
  CHECK(e.changes.size() == 1);
}

TEST_CASE("containerd config versions pick the CRI plugin's name", "[engines][containerd]") {
  CHECK(containerd_runtime_table(1, "agentrt") == "plugins.cri.containerd.runtimes.agentrt");
  CHECK(containerd_runtime_table(3, "a b") ==
        "plugins.\"io.containerd.cri.v1.runtime\".containerd.runtimes.\"a b\"");
  std::string v1 = "[plugins.cri]\n  stream_server_port = \"0\"\n";
  Edit e = plan_install(Engine::containerd, v1, kPlain, "config.toml");
  CHECK(TomlLines(*e.text, "c").value("plugins.cri.containerd.runtimes.agentrt.options", "BinaryName") ==
        "\"/usr/bin/agentrt\"");
  CHECK_THROWS_WITH(plan_install(Engine::containerd, std::string("version = 9\n"), kPlain, "config.toml"),
                    Catch::Contains("unsupported containerd config version 9"));
}

TEST_CASE("containerd install into a missing file writes version 2; uninstall removes the file",
          "[engines][containerd]") {
  Edit e = plan_install(Engine::containerd, std::nullopt, kPlain, "config.toml");
  CHECK(e.text->substr(0, 13) == "version = 2\n\n");
  CHECK(TomlLines(*e.text, "c").value(kRuntime, "runtime_type") == "\"io.containerd.runc.v2\"");
  CHECK_FALSE(plan_uninstall(Engine::containerd, e.text, "agentrt", "config.toml").text);
}

TEST_CASE("containerd refuses a malformed config naming the file and the line", "[engines][containerd]") {
  std::string bad = "version = 2\n[plugins.\"io.containerd.grpc.v1.cri\"]\n  sandbox_image = ]\n";
  CHECK_THROWS_WITH(plan_install(Engine::containerd, bad, kPlain, "/etc/containerd/config.toml"),
                    Catch::StartsWith("/etc/containerd/config.toml:3: unbalanced ']'"));
  CHECK_THROWS_WITH(
      plan_install(Engine::containerd, kConfigToml, {"x", "/usr/bin/agentrt", "agent-dev"}, "c"),
      Catch::Contains("run.agentrt.profile=agent-dev"));
}

TEST_CASE("containerd refuses runtimes defined as a key instead of tables", "[engines][containerd]") {
  std::string inline_runtimes =
      "version = 2\n[plugins.\"io.containerd.grpc.v1.cri\".containerd]\n  runtimes = { runc = { runtime_type "
      "= "
      "\"io.containerd.runc.v2\" } }\n";
  CHECK_THROWS_WITH(plan_install(Engine::containerd, inline_runtimes, kPlain, "config.toml"),
                    Catch::StartsWith("config.toml:3: the CRI runtimes are defined as a key here"));
}
