// --preserve-fds: only fds the caller really passed reach the container (a count beyond them would hand the
// init the runtime's own state-dir, fifo, sync-socket and cgroup fds: the CVE-2024-21626 class).
#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <set>
#include <sstream>

#include "support.hpp"

using namespace surface_test;

namespace {

// A pipe whose read end goes to the child at fd `at`.
struct PassedPipe {
  explicit PassedPipe(const std::string& text) {
    int p[2];
    REQUIRE(pipe2(p, O_CLOEXEC) == 0);
    REQUIRE(write(p[1], text.data(), text.size()) == static_cast<ssize_t>(text.size()));
    close(p[1]);
    read_end = p[0];
  }
  ~PassedPipe() { close(read_end); }
  int read_end = -1;
};

// Nothing of the container is left: no state dir under the runtime's root, no cgroup, no state.
void require_nothing_left(const Runtime& rt, const std::string& id) {
  CHECK_FALSE(stdfs::exists(rt.root() / id));
  CHECK(itest::cgroups_named(id).empty());
  CHECK(rt({"state", id}).code != 0);
}

// `ls -l /proc/1/fd` lines -> {fd number: link target}.
std::map<int, std::string> fd_links(const std::string& listing) {
  std::map<int, std::string> out;
  std::istringstream in(listing);
  for (std::string line; std::getline(in, line);) {
    auto arrow = line.find(" -> ");
    if (arrow == std::string::npos) continue;
    auto space = line.rfind(' ', arrow - 1);
    out[std::stoi(line.substr(space + 1, arrow - space - 1))] = line.substr(arrow + 4);
  }
  return out;
}

}  // namespace

TEST_CASE("create and run refuse --preserve-fds beyond the fds passed, leaving nothing", "[preserve_fds]") {
  for (const char* command : {"create", "run"}) {
    INFO(command);
    Runtime rt(AGENTRT_BIN, std::string("dcli-pfd-") + command, agentrt_globals());
    Bundle b(std::string("dcli-pfd-") + command);
    b.args({"true"});
    b.save();
    rt.track(b.id());
    PassedPipe fd3("x");
    RunOptions opts;
    opts.fds = {{fd3.read_end, 3}};
    opts.timeout_s = 20;
    auto r = rt({command, "--preserve-fds", "10", "--bundle", b.dir().string(), b.id()}, opts);
    INFO(r.all());
    CHECK(r.code == 1);  // not -1: the runtime must not hang on its own lock
    CHECK(contains(r.err, "--preserve-fds: unable to stat preserved-fd 4 (of 10): Bad file descriptor"));
    require_nothing_left(rt, b.id());
  }
}

TEST_CASE("a negative --preserve-fds is refused naming the flag", "[preserve_fds]") {
  Runtime rt(AGENTRT_BIN, "dcli-pfd-neg", agentrt_globals());
  Bundle b("dcli-pfd-neg");
  b.args({"true"});
  b.save();
  rt.track(b.id());
  for (std::vector<std::string> flag :
       {std::vector<std::string>{"--preserve-fds=-1"}, std::vector<std::string>{"--preserve-fds", "-1"}}) {
    std::vector<std::string> args{"create"};
    args.insert(args.end(), flag.begin(), flag.end());
    args.insert(args.end(), {"--bundle", b.dir().string(), b.id()});
    auto r = rt(args);
    INFO(r.all());
    CHECK(r.code == 1);
    CHECK(contains(r.err, "preserve-fds"));
    require_nothing_left(rt, b.id());
  }
}

TEST_CASE("run --preserve-fds 2 passes exactly fds 3 and 4 and none of the runtime's", "[preserve_fds]") {
  Runtime rt(AGENTRT_BIN, "dcli-pfd-ok", agentrt_globals());
  Bundle b("dcli-pfd-ok");
  // pid 1 is the shell that got the fds; ls runs as its child and lists them.
  b.sh("ls -l /proc/1/fd; echo; cat <&3; cat <&4");
  PassedPipe fd3("three"), fd4("four");
  RunOptions opts;
  opts.fds = {{fd3.read_end, 3}, {fd4.read_end, 4}};
  b.save();
  rt.track(b.id());
  auto r = rt({"run", "--preserve-fds", "2", "--bundle", b.dir().string(), b.id()}, opts);
  INFO(r.all());
  REQUIRE(r.code == 0);
  CHECK(contains(r.out, "threefour"));
  auto links = fd_links(r.out);
  std::set<int> numbers;
  for (const auto& [fd, target] : links) {
    numbers.insert(fd);
    INFO("fd " << fd << " -> " << target);
    CHECK_FALSE(contains(target, rt.root().string()));
    CHECK_FALSE(contains(target, "/sys/fs/cgroup"));
    CHECK_FALSE(contains(target, "socket:"));
  }
  CHECK(numbers == std::set<int>{0, 1, 2, 3, 4});
  CHECK(contains(links[3], "pipe:"));
  CHECK(contains(links[4], "pipe:"));
}

TEST_CASE("exec refuses --preserve-fds beyond the fds passed; the container stays usable", "[preserve_fds]") {
  Runtime rt(AGENTRT_BIN, "dcli-pfd-exec", agentrt_globals());
  Bundle b("dcli-pfd-exec");
  b.args({"sleep", "1000"});
  REQUIRE(rt.create(b).code == 0);
  REQUIRE(rt({"start", b.id()}).code == 0);
  REQUIRE(rt.wait_status(b.id(), "running"));
  PassedPipe fd3("x");
  RunOptions opts;
  opts.fds = {{fd3.read_end, 3}};
  opts.timeout_s = 20;
  auto r = rt({"exec", "--preserve-fds", "5", b.id(), "ls", "/proc/self/fd"}, opts);
  INFO(r.all());
  CHECK(r.code == 255);
  CHECK(contains(r.err, "--preserve-fds: unable to stat preserved-fd 4 (of 5): Bad file descriptor"));
  r = rt({"exec", "--preserve-fds=-1", b.id(), "true"});
  CHECK(r.code == 255);
  CHECK(contains(r.err, "--preserve-fds: must be 0 or more, got -1"));
  auto ok = rt({"exec", b.id(), "true"}, 20);
  CHECK(ok.code == 0);
  CHECK(rt.status(b.id()) == "running");
}
