// load_spec: reading config.json from disk, syntax errors, the "config.json: " prefix.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "full_config.hpp"
#include "helpers.hpp"

using namespace agentrt::oci;
using namespace agentrt::oci::test;

namespace {

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/agentrt-oci-test-XXXXXX";
    REQUIRE(::mkdtemp(tmpl) != nullptr);
    path_ = tmpl;
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string write(const std::string& name, const std::string& text) const {
    std::string file = path_ + "/" + name;
    std::ofstream(file) << text;
    return file;
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// The SpecError load_spec() throws: message and errno.
std::pair<std::string, int> load_error(const std::string& path) {
  try {
    load_spec(path);
  } catch (const SpecError& e) {
    return {e.what(), e.error_number()};
  }
  return {"<no error>", 0};
}

}  // namespace

TEST_CASE("load_spec reads and parses a config file", "[load]") {
  TempDir dir;
  Spec s = load_spec(dir.write("config.json", kFullConfig));
  CHECK(s.root.path == "/bundle/rootfs");
  CHECK(s.process->args == std::vector<std::string>{"python3", "-m", "agent"});
  CHECK(s.linux->seccomp->syscalls.size() == 3);
}

TEST_CASE("load_spec prefixes validation errors with config.json", "[load]") {
  TempDir dir;
  std::string file = dir.write("config.json", R"({"ociVersion": "1.2.0", "root": {}})");
  CHECK(load_error(file).first == "config.json: root.path: required");
  file = dir.write("config.json", R"({"ociVersion": "1.2.0", "root": {"path": "r"},
      "linux": {"resources": {"memory": {"limit": "1G"}}}})");
  CHECK(load_error(file).first == "config.json: linux.resources.memory.limit: expected integer, got string");
}

TEST_CASE("load_spec reports JSON syntax errors with their position", "[load]") {
  TempDir dir;
  std::string file =
      dir.write("config.json", "{\n  \"ociVersion\": \"1.2.0\",\n  \"root\": {\"path\": \"r\",}\n}\n");
  std::string msg = load_error(file).first;
  CHECK(msg.rfind("config.json: parse error at line 3, column 24: ", 0) == 0);
  CHECK(msg.find("[json.exception") == std::string::npos);
  CHECK(load_error(dir.write("config.json", ""))
            .first.rfind("config.json: parse error at line 1, column 1: ", 0) == 0);
}

TEST_CASE("load_spec reports a missing file like open(2) does", "[load]") {
  TempDir dir;
  std::string missing = dir.path() + "/config.json";
  auto [msg, err] = load_error(missing);
  CHECK(msg == "config.json: open " + missing + ": No such file or directory");
  CHECK(err == ENOENT);
}

TEST_CASE("load_spec rejects a directory", "[load]") {
  TempDir dir;
  auto [msg, err] = load_error(dir.path());
  CHECK(msg == "config.json: read " + dir.path() + ": Is a directory");
  CHECK(err == EISDIR);
}
