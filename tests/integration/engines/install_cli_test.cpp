// `agentrt install` / `uninstall` run as the CLI, on config files in a temp directory.
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "integration_support/runtime.hpp"
#include "unit/runtime/test_tmpdir.hpp"

namespace {

namespace stdfs = std::filesystem;
using agentrt::test::read_text;
using agentrt::test::TempDir;
using agentrt::test::write_text;

const std::string kDaemonJson =
    "{\n  \"debug\": true,\n  \"runtimes\": {\n    \"runc2\": {\n"
    "      \"path\": \"/usr/sbin/runc\"\n    }\n  }\n}\n";

itest::Result run_agentrt(const std::vector<std::string>& args) {
  std::vector<std::string> argv{itest::agentrt_bin()};
  argv.insert(argv.end(), args.begin(), args.end());
  return itest::execute(argv, 30);
}

struct stat stat_of(const std::string& path) {
  struct stat st {};
  REQUIRE(::lstat(path.c_str(), &st) == 0);
  return st;
}

size_t files_in(const std::string& dir) {
  return static_cast<size_t>(std::distance(stdfs::directory_iterator(dir), stdfs::directory_iterator()));
}

}  // namespace

TEST_CASE("install docker writes the real binary path, keeps mode and owner, uninstall restores the bytes",
          "[engines][cli]") {
  TempDir dir;
  std::string conf = dir.file("daemon.json");
  write_text(conf, kDaemonJson);
  REQUIRE(::chmod(conf.c_str(), 0640) == 0);
  REQUIRE(::chown(conf.c_str(), 1234, 5678) == 0);

  auto r = run_agentrt({"install", "docker", "--config", conf});
  REQUIRE(r.code == 0);
  CHECK(r.out.find("added runtime \"agentrt\"") != std::string::npos);
  CHECK(r.out.find("reload: systemctl restart docker") != std::string::npos);
  auto doc = nlohmann::json::parse(read_text(conf));
  CHECK(doc["debug"] == true);
  CHECK(doc["runtimes"]["runc2"]["path"] == "/usr/sbin/runc");
  CHECK(doc["runtimes"]["agentrt"]["path"] == stdfs::canonical(itest::agentrt_bin()).string());
  auto st = stat_of(conf);
  CHECK((st.st_mode & 07777) == 0640);
  CHECK(st.st_uid == 1234);
  CHECK(st.st_gid == 5678);
  CHECK(files_in(dir.path()) == 1);  // no temp file left

  std::string installed = read_text(conf);
  auto again = run_agentrt({"install", "docker", "--config", conf});
  CHECK(again.code == 0);
  CHECK(again.out.find("nothing to change") != std::string::npos);
  CHECK(read_text(conf) == installed);
  CHECK(stat_of(conf).st_ino == st.st_ino);  // not even rewritten

  auto dev = run_agentrt({"install", "docker", "--profile", "agent-dev", "--config", conf});
  REQUIRE(dev.code == 0);
  CHECK(nlohmann::json::parse(read_text(conf))["runtimes"]["agentrt-agent-dev"]["runtimeArgs"][0] ==
        "--profile=agent-dev");
  REQUIRE(run_agentrt({"uninstall", "docker", "--name", "agentrt-agent-dev", "--config", conf}).code == 0);
  REQUIRE(run_agentrt({"uninstall", "docker", "--config", conf}).code == 0);
  CHECK(read_text(conf) == kDaemonJson);
  CHECK((stat_of(conf).st_mode & 07777) == 0640);
}

TEST_CASE("install --dry-run prints the diff and leaves the file untouched", "[engines][cli]") {
  TempDir dir;
  std::string conf = dir.file("containers.conf");
  std::string text = "# mine\n[engine]\ncgroup_manager = \"cgroupfs\"\n";
  write_text(conf, text);
  auto before = stat_of(conf);
  auto r = run_agentrt({"install", "podman", "--config", conf, "--dry-run"});
  REQUIRE(r.code == 0);
  CHECK(r.out.find("+[engine.runtimes]\n+agentrt = [\"" + stdfs::canonical(itest::agentrt_bin()).string() +
                   "\"]\n") != std::string::npos);
  CHECK(r.out.find("dry run: " + conf + " not written") != std::string::npos);
  CHECK(read_text(conf) == text);
  CHECK(stat_of(conf).st_mtim.tv_nsec == before.st_mtim.tv_nsec);
  CHECK(files_in(dir.path()) == 1);

  auto missing = run_agentrt({"install", "containerd", "--config", dir.file("none.toml"), "--dry-run"});
  CHECK(missing.code == 0);
  CHECK(missing.out.find("+version = 2") != std::string::npos);
  CHECK_FALSE(stdfs::exists(dir.file("none.toml")));
}

TEST_CASE("install refuses a file it cannot parse and leaves it untouched", "[engines][cli]") {
  TempDir dir;
  std::string conf = dir.file("config.toml");
  std::string bad = "version = 2\n[plugins\n";
  write_text(conf, bad);
  auto r = run_agentrt({"install", "containerd", "--config", conf});
  CHECK(r.code != 0);
  CHECK(r.err.find(conf + ":2: table header without a closing ']'") != std::string::npos);
  CHECK(read_text(conf) == bad);
  CHECK(files_in(dir.path()) == 1);

  // Errors reach stderr as logfmt (runc's format), where quotes are escaped.
  auto unknown = run_agentrt({"install", "lxd", "--config", conf});
  CHECK(unknown.code != 0);
  CHECK(unknown.err.find("unknown engine \\\"lxd\\\"") != std::string::npos);
  auto no_engine = run_agentrt({"install"});
  CHECK(no_engine.code != 0);
  CHECK(no_engine.err.find("install\\\" requires exactly 1 argument(s)") != std::string::npos);
}

TEST_CASE("install through a symlinked config edits the target and keeps the link", "[engines][cli]") {
  TempDir dir;
  std::string target = dir.file("real.conf");
  std::string link = dir.file("containers.conf");
  write_text(target, "[engine]\n");
  stdfs::create_symlink(target, link);
  REQUIRE(run_agentrt({"install", "podman", "--config", link}).code == 0);
  CHECK(stdfs::is_symlink(link));
  CHECK(read_text(target).find("[engine.runtimes]\nagentrt = ") != std::string::npos);
  REQUIRE(run_agentrt({"uninstall", "podman", "--config", link}).code == 0);
  CHECK(read_text(target) == "[engine]\n");
}
