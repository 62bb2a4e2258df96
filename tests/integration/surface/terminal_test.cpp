// Terminal containers: `run` through a real pty, and an interactive shell over --console-socket.
#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "support.hpp"

using namespace surface_test;

TEST_CASE("run of a terminal container through a real pty shows its tty and size", "[terminal]") {
  Runtime rt(AGENTRT_BIN, "tty-run", agentrt_globals());
  Bundle b("tty-run");
  b.sh("tty; stty size");
  b.config()["process"]["terminal"] = true;
  b.save();
  rt.track(b.id());
  auto argv = rt.argv({"run", "--bundle", b.dir().string(), b.id()});
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);

  winsize ws{};
  ws.ws_row = 33;
  ws.ws_col = 101;
  int master = -1;
  pid_t pid = forkpty(&master, nullptr, nullptr, &ws);
  REQUIRE(pid >= 0);
  if (pid == 0) {
    execv(args[0], args.data());
    _exit(127);
  }
  auto got = pty_converse(master, "", "\n33 101", 15000);
  got += pty_converse(master, "", "\x04never", 1000);  // drain until EOF/EIO
  close(master);
  int status = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (waitpid(pid, &status, WNOHANG) == 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  INFO(got);
  CHECK(contains(got, "/dev/pts/"));
  CHECK(contains(got, "33 101"));
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}

TEST_CASE("an interactive shell over --console-socket with create and start", "[terminal]") {
  Runtime rt(AGENTRT_BIN, "tty-sock", agentrt_globals());
  Bundle b("tty-sock");
  b.args({"sh"});
  b.config()["process"]["terminal"] = true;
  ConsoleSocket sock("tty-sock");
  auto c = rt.create(b, {"--console-socket", sock.path().string()});
  REQUIRE(c.code == 0);
  int master = sock.accept_fd(2000);
  REQUIRE(master >= 0);
  REQUIRE(rt({"start", b.id()}).code == 0);
  auto got = pty_converse(master, "echo shell-$((6*7)); exit 5\n", "shell-42");
  CHECK(contains(got, "shell-42"));
  CHECK(rt.wait_status(b.id(), "stopped"));
  close(master);
}
