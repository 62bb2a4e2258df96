#include "runtime/hooks.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>

#include "oci/support/error.hpp"
#include "unit/runtime/test_tmpdir.hpp"

using agentrt::Error;
using agentrt::oci::Hook;
using agentrt::runtime::LogFormat;
using agentrt::runtime::Logger;
using agentrt::runtime::run_hook;
using agentrt::runtime::run_hooks;
using agentrt::test::read_text;
using agentrt::test::TempDir;
using agentrt::test::write_text;

namespace {

Hook sh(const std::string& script, std::vector<std::string> env = {}) {
  return Hook{"/bin/sh", {"sh", "-c", script}, std::move(env), std::nullopt};
}

Hook script_hook(const TempDir& dir, const std::string& name, const std::string& body) {
  const auto path = dir.file(name);
  write_text(path, "#!/bin/sh\n" + body + "\n", std::filesystem::perms::owner_all);
  return Hook{path, {}, {}, std::nullopt};
}

std::string error_of(const Hook& h, const std::string& state = "{}", const char* kind = "prestart") {
  try {
    run_hook(h, state, kind);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("hook receives the state json on stdin", "[hooks]") {
  TempDir dir;
  const std::string state = R"({"ociVersion":"1.0.2","id":"c1","status":"created","pid":42,"bundle":"/b"})";
  run_hook(sh("cat > " + dir.file("stdin")), state, "prestart");
  CHECK(read_text(dir.file("stdin")) == state);
}

TEST_CASE("hook args are passed exactly, including args[0]", "[hooks]") {
  TempDir dir;
  Hook h{"/bin/sh",
         {"my-hook-name", "-c", "tr '\\0' '\\n' < /proc/$$/cmdline > " + dir.file("argv"), "x y"},
         {},
         {}};
  run_hook(h, "{}", "createRuntime");
  CHECK(read_text(dir.file("argv")) ==
        "my-hook-name\n-c\ntr '\\0' '\\n' < /proc/$$/cmdline > " + dir.file("argv") + "\nx y\n");
}

TEST_CASE("hook without args runs with argv = {path}", "[hooks]") {
  TempDir dir;
  auto h = script_hook(dir, "hook.sh", "echo \"$0\" > " + dir.file("argv0"));
  run_hook(h, "{}", "poststart");
  CHECK(read_text(dir.file("argv0")) == h.path + "\n");
}

TEST_CASE("hook env is exactly the given list", "[hooks]") {
  TempDir dir;
  auto h = sh("tr '\\0' '\\n' < /proc/$$/environ > " + dir.file("env"), {"FOO=bar baz", "EMPTY=", "X=1"});
  run_hook(h, "{}", "prestart");
  CHECK(read_text(dir.file("env")) == "FOO=bar baz\nEMPTY=\nX=1\n");
}

TEST_CASE("hook sees only fds 0, 1 and 2 and inherits stdout", "[hooks]") {
  TempDir dir;
  // An inheritable fd in the runtime must not reach the hook.
  const int devnull = open("/dev/null", O_RDONLY);
  const int leaky = fcntl(devnull, F_DUPFD, 50);
  close(devnull);
  REQUIRE(leaky >= 50);
  // Capture the hook's stdout, which it shares with the runtime.
  const int saved_stdout = dup(1);
  const int out = open(dir.file("fds").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  REQUIRE(dup2(out, 1) == 1);
  close(out);
  std::string err;
  try {
    run_hook(Hook{"/bin/ls", {"ls", "/proc/self/fd"}, {}, {}}, "{}", "prestart");
  } catch (const Error& e) {
    err = e.what();
  }
  dup2(saved_stdout, 1);
  close(saved_stdout);
  close(leaky);
  CHECK(err == "");
  // 3 is the directory ls itself opens to list /proc/self/fd.
  CHECK(read_text(dir.file("fds")) == "0\n1\n2\n3\n");
}

TEST_CASE("non-zero exit fails naming kind, path and status", "[hooks]") {
  TempDir dir;
  auto h = script_hook(dir, "fail.sh", "exit 3");
  CHECK(error_of(h) == "prestart hook " + h.path + ": exit status 3");
}

TEST_CASE("hook killed by a signal fails", "[hooks]") {
  CHECK(error_of(sh("kill -TERM $$"), "{}", "poststop") ==
        "poststop hook /bin/sh: killed by signal Terminated");
}

TEST_CASE("missing hook binary is a spawn failure", "[hooks]") {
  Hook h{"/nonexistent/hook", {}, {}, {}};
  CHECK(error_of(h) == "prestart hook /nonexistent/hook: spawn: No such file or directory");
}

TEST_CASE("timeout kills the hook", "[hooks]") {
  TempDir dir;
  auto h = sh("echo $$ > " + dir.file("pid") + "; exec sleep 30");
  h.timeout = 1;
  const auto start = std::chrono::steady_clock::now();
  CHECK(error_of(h, "{}", "createContainer") == "createContainer hook /bin/sh: timed out after 1s");
  const auto elapsed = std::chrono::steady_clock::now() - start;
  CHECK(elapsed >= std::chrono::milliseconds(900));
  CHECK(elapsed < std::chrono::seconds(5));
  const pid_t pid = std::stoi(read_text(dir.file("pid")));
  CHECK(kill(pid, 0) == -1);  // killed and reaped: the pid is gone
  CHECK(errno == ESRCH);
}

TEST_CASE("hook that finishes within its timeout succeeds", "[hooks]") {
  auto h = sh("sleep 0.1");
  h.timeout = 5;
  CHECK(error_of(h) == "");
}

TEST_CASE("hook that never reads a large state does not hang or raise SIGPIPE", "[hooks]") {
  const std::string big(1 << 20, 'x');
  CHECK(error_of(sh("exit 0"), big) == "");
  auto slow = sh("exec 0<&-; sleep 0.2");
  CHECK(error_of(slow, big) == "");
}

TEST_CASE("fail-fast hooks stop at the first failure", "[hooks]") {
  TempDir dir;
  std::vector<Hook> hooks = {sh("echo one >> " + dir.file("log")), sh("exit 1"),
                             sh("echo three >> " + dir.file("log"))};
  Logger log(open("/dev/null", O_WRONLY | O_CLOEXEC), LogFormat::text, false);
  CHECK_THROWS_WITH(run_hooks(hooks, "{}", "prestart", true, log), "prestart hook /bin/sh: exit status 1");
  CHECK(read_text(dir.file("log")) == "one\n");
  close(log.fd());
}

TEST_CASE("non-fail-fast hooks warn and continue", "[hooks]") {
  TempDir dir;
  std::vector<Hook> hooks = {sh("exit 2"), sh("echo two >> " + dir.file("log")), Hook{"/missing", {}, {}, {}},
                             sh("echo four >> " + dir.file("log"))};
  const int logfd = open(dir.file("runtime.log").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  REQUIRE(logfd >= 0);
  Logger log(logfd, LogFormat::json, false);
  CHECK_NOTHROW(run_hooks(hooks, "{}", "poststop", false, log));
  close(logfd);
  CHECK(read_text(dir.file("log")) == "two\nfour\n");
  const auto logged = read_text(dir.file("runtime.log"));
  CHECK(logged.find("poststop hook /bin/sh: exit status 2") != std::string::npos);
  CHECK(logged.find("poststop hook /missing: spawn: No such file or directory") != std::string::npos);
  CHECK(logged.find("\"level\":\"warning\"") != std::string::npos);
}
