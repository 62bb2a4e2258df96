// Top-level fields: ociVersion, root, hostname, domainname, annotations, mounts, hooks.
#include <catch2/catch.hpp>

#include "full_config.hpp"
#include "helpers.hpp"

using namespace agentrt::oci;
using namespace agentrt::oci::test;
using nlohmann::json;

TEST_CASE("top-level fields of a full config are parsed", "[parse][top]") {
  Spec s = parse_spec(json::parse(kFullConfig));
  CHECK(s.oci_version == "1.2.0");
  CHECK(s.root.path == "/bundle/rootfs");
  CHECK(s.root.readonly);
  CHECK(s.hostname == "agent-host");
  CHECK(s.domainname == "agents.example");
  CHECK(s.annotations == std::map<std::string, std::string>{{"run.agentrt.profile", "agent-dev"},
                                                            {"org.example/key", "value"}});
  REQUIRE(s.process);
  REQUIRE(s.linux);
}

TEST_CASE("a minimal config leaves optional sections empty", "[parse][top]") {
  Spec s = parse_spec(minimal());
  CHECK(s.oci_version == "1.2.0");
  CHECK(s.root.path == "rootfs");
  CHECK_FALSE(s.root.readonly);
  CHECK_FALSE(s.process);
  CHECK_FALSE(s.linux);
  CHECK(s.mounts.empty());
  CHECK(s.hooks.prestart.empty());
  CHECK(s.hooks.poststop.empty());
  CHECK(s.annotations.empty());
  CHECK(s.hostname.empty());
}

TEST_CASE("mounts are parsed with their id mappings", "[parse][mounts]") {
  Spec s = parse_spec(json::parse(kFullConfig));
  REQUIRE(s.mounts.size() == 2);
  CHECK(s.mounts[0].destination == "/proc");
  CHECK(s.mounts[0].type == "proc");
  CHECK(s.mounts[0].source == "proc");
  CHECK(s.mounts[0].options.empty());
  const Mount& m = s.mounts[1];
  CHECK(m.destination == "/data");
  CHECK(m.type == "bind");
  CHECK(m.source == "/srv/data");
  CHECK(m.options == std::vector<std::string>{"rbind", "ro"});
  REQUIRE(m.uid_mappings.size() == 1);
  CHECK(m.uid_mappings[0].container_id == 0);
  CHECK(m.uid_mappings[0].host_id == 100000);
  CHECK(m.uid_mappings[0].size == 65536);
  REQUIRE(m.gid_mappings.size() == 1);
  CHECK(m.gid_mappings[0].container_id == 1);
  CHECK(m.gid_mappings[0].host_id == 200000);
  CHECK(m.gid_mappings[0].size == 1000);
}

TEST_CASE("mount validation", "[parse][mounts]") {
  json j = minimal();
  j["mounts"] = json::array({{{"destination", "/a"}}, {{"type", "tmpfs"}}});
  CHECK(spec_error(j) == "mounts[1].destination: required");
  j["mounts"][1]["destination"] = "";
  CHECK(spec_error(j) == "mounts[1].destination: must not be empty");
  // runc accepts a relative destination (it is taken relative to the rootfs).
  j["mounts"][1]["destination"] = "relative/dir";
  Spec s = parse_spec(j);
  CHECK(s.mounts[1].destination == "relative/dir");
  CHECK(s.mounts[1].type == "tmpfs");
  CHECK(spec_error(set(j, "/mounts/0/options", json::array({"ro", 1}))) ==
        "mounts[0].options[1]: expected string, got number");
  CHECK(spec_error(set(j, "/mounts/0/uidMappings", json::array({{{"containerID", 0}, {"hostID", 1}}}))) ==
        "mounts[0].uidMappings[0].size: required");
  CHECK(spec_error(set(j, "/mounts", json::object())) == "mounts: expected array, got object");
}

TEST_CASE("all six hook kinds are parsed", "[parse][hooks]") {
  Spec s = parse_spec(json::parse(kFullConfig));
  REQUIRE(s.hooks.prestart.size() == 1);
  const Hook& h = s.hooks.prestart[0];
  CHECK(h.path == "/usr/bin/prestart");
  CHECK(h.args == std::vector<std::string>{"prestart", "-x"});
  CHECK(h.env == std::vector<std::string>{"A=1"});
  CHECK(h.timeout == 5);
  REQUIRE(s.hooks.create_runtime.size() == 1);
  CHECK(s.hooks.create_runtime[0].path == "/usr/bin/create-runtime");
  CHECK_FALSE(s.hooks.create_runtime[0].timeout);
  REQUIRE(s.hooks.create_container.size() == 1);
  CHECK(s.hooks.create_container[0].path == "/usr/bin/create-container");
  REQUIRE(s.hooks.start_container.size() == 1);
  CHECK(s.hooks.start_container[0].path == "/usr/bin/start-container");
  REQUIRE(s.hooks.poststart.size() == 1);
  CHECK(s.hooks.poststart[0].path == "/usr/bin/poststart");
  REQUIRE(s.hooks.poststop.size() == 1);
  CHECK(s.hooks.poststop[0].path == "/usr/bin/poststop");
  CHECK(s.hooks.poststop[0].timeout == 30);
}

TEST_CASE("hook validation", "[parse][hooks]") {
  json j = set(minimal(), "/hooks/poststart", json::array({{{"path", "/bin/true"}}, {{"args", {"x"}}}}));
  CHECK(spec_error(j) == "hooks.poststart[1].path: required");
  CHECK(spec_error(set(j, "/hooks/poststart/1/path", "bin/true")) ==
        "hooks.poststart[1].path: must be an absolute path, got \"bin/true\"");
  CHECK(spec_error(set(minimal(), "/hooks/createRuntime/0", {{"path", "/bin/true"}, {"timeout", 0}})) ==
        "hooks.createRuntime[0].timeout: must be greater than zero, got 0");
  CHECK(spec_error(set(minimal(), "/hooks/poststop/0", {{"path", "/bin/true"}, {"timeout", -3}})) ==
        "hooks.poststop[0].timeout: must be greater than zero, got -3");
  CHECK(spec_error(set(minimal(), "/hooks/prestart/0", {{"path", "/bin/true"}, {"timeout", 1.5}})) ==
        "hooks.prestart[0].timeout: expected integer, got number 1.5");
  CHECK(spec_error(set(minimal(), "/hooks", json::array())) == "hooks: expected object, got array");
}

TEST_CASE("required top-level fields", "[parse][top]") {
  json j = minimal();
  j.erase("ociVersion");
  CHECK(spec_error(j) == "ociVersion: required");
  j = minimal();
  j.erase("root");
  CHECK(spec_error(j) == "root: required");
  CHECK(spec_error(set(minimal(), "/root", json::object())) == "root.path: required");
  CHECK(spec_error(set(minimal(), "/root/path", "")) == "root.path: must not be empty");
  CHECK(spec_error(set(minimal(), "/root", "rootfs")) == "root: expected object, got string");
  CHECK(spec_error(set(minimal(), "/ociVersion", 1)) == "ociVersion: expected string, got number");
  CHECK(spec_error(set(minimal(), "/root/readonly", "yes")) == "root.readonly: expected boolean, got string");
  CHECK(spec_error(json::array()) == "expected object, got array");
}

TEST_CASE("annotations must map strings to strings", "[parse][top]") {
  CHECK(spec_error(set(minimal(), "/annotations", {{"a", "b"}, {"n", 1}})) ==
        "annotations.n: expected string, got number");
  CHECK(spec_error(set(minimal(), "/annotations", json::array())) ==
        "annotations: expected object, got array");
}

TEST_CASE("unknown properties are ignored at every level", "[parse][top]") {
  json j = json::parse(kFullConfig);
  j["windows"] = {{"layerFolders", json::array()}};
  j["vm"] = 7;
  j["root"]["x-extra"] = true;
  j["process"]["futureField"] = {1, 2};
  j["process"]["user"]["sid"] = "S-1";
  j["linux"]["intelRdt"] = {{"closID", "x"}};
  j["linux"]["resources"]["memory"]["future"] = "y";
  j["linux"]["seccomp"]["syscalls"][0]["comment"] = "hi";
  j["mounts"][0]["extra"] = 1;
  j["hooks"]["prestart"][0]["extra"] = 1;
  Spec s = parse_spec(j);
  CHECK(s.root.path == "/bundle/rootfs");
  CHECK(s.process->user.uid == 1000);
  CHECK(s.linux->resources->memory->limit == 536870912);
}

TEST_CASE("null is treated like an absent optional field", "[parse][top]") {
  json j = minimal();
  j["process"] = nullptr;
  j["linux"] = nullptr;
  j["hostname"] = nullptr;
  j["mounts"] = nullptr;
  Spec s = parse_spec(j);
  CHECK_FALSE(s.process);
  CHECK_FALSE(s.linux);
  CHECK(s.hostname.empty());
  CHECK(spec_error(set(minimal(), "/root/path", nullptr)) == "root.path: required");
}
