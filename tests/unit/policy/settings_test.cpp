#include "policy/settings.hpp"

#include <stdlib.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "oci/support/error.hpp"
#include "oci/support/fs.hpp"

using namespace agentrt;
using namespace agentrt::policy;

namespace {

struct TempConfig {
  std::string dir, path;
  TempConfig() {
    char tmpl[] = "/tmp/agentrt-policy-settings-XXXXXX";
    dir = mkdtemp(tmpl);
    path = dir + "/config.json";
  }
  ~TempConfig() { std::filesystem::remove_all(dir); }
};

using Annotations = std::map<std::string, std::string>;

}  // namespace

TEST_CASE("settings: path lists are absolute and normalized", "[settings]") {
  CHECK(parse_path_list("/workspace, /tmp/", "x") == std::vector<std::string>{"/workspace", "/tmp"});
  CHECK(parse_path_list("//a//b/./c", "x") == std::vector<std::string>{"/a/b/c"});
  CHECK(parse_path_list("/", "x") == std::vector<std::string>{"/"});
  CHECK(parse_path_list("none", "x").empty());
  REQUIRE_THROWS_WITH(parse_path_list("workspace", "annotation run.agentrt.fs.write"),
                      "annotation run.agentrt.fs.write: \"workspace\" is not an absolute container path");
  REQUIRE_THROWS_WITH(parse_path_list("/a/../etc", "--fs-write"),
                      "--fs-write: \"/a/../etc\" has a \"..\" component");
  REQUIRE_THROWS_WITH(parse_path_list("/a,,/b", "--fs-read"), "--fs-read: empty entry in \"/a,,/b\"");
  REQUIRE_THROWS_WITH(parse_path_list("", "--fs-read"), Catch::StartsWith("--fs-read: empty entry"));
}

TEST_CASE("settings: the annotation, else the flag, else the config file, else the profile", "[settings]") {
  TempConfig cfg;
  ProfileDefaults none;
  Settings s = resolve_settings({}, {}, none, cfg.path);  // no config file: nothing set
  CHECK_FALSE(s.fs_write.set);
  CHECK_FALSE(s.fs_read.set);
  CHECK_FALSE(s.egress.set);

  fs::write_file(cfg.path, R"({"fs.write": ["/w1", "/w2"], "fs.read": "/usr,/lib", "net.egress": "dns"})");
  s = resolve_settings({}, {}, none, cfg.path);
  CHECK(s.fs_write.values == std::vector<std::string>{"/w1", "/w2"});
  CHECK(s.fs_write.source == cfg.path + ": fs.write");
  CHECK(s.fs_write.explicit_request);
  CHECK(s.fs_read.values == std::vector<std::string>{"/usr", "/lib"});
  CHECK(s.egress.values == std::vector<std::string>{"dns"});

  s = resolve_settings({}, {"/flag", "", "10.0.0.0/8:443", ""}, none, cfg.path);
  CHECK(s.fs_write.values == std::vector<std::string>{"/flag"});
  CHECK(s.fs_write.source == "--fs-write");
  CHECK(s.fs_read.source == cfg.path + ": fs.read");
  CHECK(s.egress.source == "--egress");

  Annotations ann = {{kFsWriteAnnotation, "/ann"}};
  s = resolve_settings(ann, {"/flag", "", "", ""}, none, cfg.path);
  CHECK(s.fs_write.values == std::vector<std::string>{"/ann"});
  CHECK(s.fs_write.source == "annotation run.agentrt.fs.write");
}

TEST_CASE("settings: a profile default applies only when nothing else sets it", "[settings]") {
  TempConfig cfg;
  ProfileDefaults locked{"profile agent-locked", true, locked_write_paths("/work", "/root"), "none", false};
  Settings s = resolve_settings({}, {}, locked, cfg.path);
  CHECK(s.fs_write.set);
  CHECK_FALSE(s.fs_write.explicit_request);
  CHECK(s.fs_write.source == "profile agent-locked");
  CHECK(s.fs_write.values == std::vector<std::string>{"/tmp", "/var/tmp", "/dev/shm", "/work", "/root"});
  CHECK(s.egress.values == std::vector<std::string>{"none"});
  CHECK_FALSE(s.fs_read.set);
  s = resolve_settings({{kEgressAnnotation, "dns"}, {kFsWriteAnnotation, "/x"}}, {}, locked, cfg.path);
  CHECK(s.egress.explicit_request);
  CHECK(s.fs_write.values == std::vector<std::string>{"/x"});
}

TEST_CASE("settings: agent-locked writes skip a cwd or home of / and duplicates", "[settings]") {
  CHECK(locked_write_paths("/", "/") == std::vector<std::string>{"/tmp", "/var/tmp", "/dev/shm"});
  CHECK(locked_write_paths("/tmp", "") == std::vector<std::string>{"/tmp", "/var/tmp", "/dev/shm"});
  CHECK(locked_write_paths("/src/", "/home/u") ==
        std::vector<std::string>{"/tmp", "/var/tmp", "/dev/shm", "/src", "/home/u"});
}

TEST_CASE("settings: malformed values name their source", "[settings]") {
  TempConfig cfg;
  fs::write_file(cfg.path, R"({"fs.write": 3})");
  REQUIRE_THROWS_WITH(resolve_settings({}, {}, {}, cfg.path),
                      cfg.path + ": fs.write: expected a string or a non-empty array of strings");
  fs::write_file(cfg.path, R"({"net.egress": ["dns", 1]})");
  REQUIRE_THROWS_WITH(resolve_settings({}, {}, {}, cfg.path), Catch::StartsWith(cfg.path + ": net.egress"));
  fs::write_file(cfg.path, "{");
  REQUIRE_THROWS_WITH(resolve_settings({}, {}, {}, cfg.path), Catch::StartsWith(cfg.path + ": "));
  REQUIRE_THROWS_WITH(
      resolve_settings({{kEgressAnnotation, "example.com"}}, {}, {}, "/nonexistent"),
      Catch::StartsWith("annotation run.agentrt.net.egress: invalid egress entry \"example.com\"") &&
          Catch::EndsWith("a host name needs a port"));
  REQUIRE_THROWS_WITH(resolve_settings({{kFsReadAnnotation, "usr"}}, {}, {}, "/nonexistent"),
                      Catch::StartsWith("annotation run.agentrt.fs.read: \"usr\""));
}

TEST_CASE("settings: audit from the annotation, the flag, the config file, else agent-locked",
          "[settings][audit]") {
  TempConfig cfg;
  ProfileDefaults none;
  ProfileDefaults locked{"profile agent-locked", true, {}, "", true};
  CHECK_FALSE(resolve_settings({}, {}, none, cfg.path).audit.set);
  CHECK_FALSE(audit_on(resolve_settings({}, {}, none, cfg.path)));
  Settings s = resolve_settings({}, {}, locked, cfg.path);
  CHECK(audit_on(s));
  CHECK(s.audit.source == "profile agent-locked");
  CHECK_FALSE(s.audit.explicit_request);
  // The annotation beats the flag, which beats the config file, which beats the profile.
  fs::write_file(cfg.path, R"({"audit": false})");
  s = resolve_settings({}, {}, locked, cfg.path);
  CHECK_FALSE(audit_on(s));
  CHECK(s.audit.source == cfg.path + ": audit");
  SettingFlags flags;
  flags.audit = "true";
  s = resolve_settings({}, flags, locked, cfg.path);
  CHECK(audit_on(s));
  CHECK(s.audit.source == "--audit");
  s = resolve_settings({{kAuditAnnotation, "false"}}, flags, locked, cfg.path);
  CHECK_FALSE(audit_on(s));
  CHECK(s.audit.source == "annotation run.agentrt.audit");
  fs::write_file(cfg.path, R"({"audit": "true"})");
  CHECK(audit_on(resolve_settings({}, {}, none, cfg.path)));
}

TEST_CASE("settings: a malformed audit value names its source", "[settings][audit]") {
  TempConfig cfg;
  REQUIRE_THROWS_WITH(resolve_settings({{kAuditAnnotation, "yes"}}, {}, {}, cfg.path),
                      "annotation run.agentrt.audit: expected true or false, not \"yes\"");
  fs::write_file(cfg.path, R"({"audit": 1})");
  REQUIRE_THROWS_WITH(resolve_settings({}, {}, {}, cfg.path),
                      Catch::Contains(cfg.path + ": audit: expected a string"));
}
