// Escape attempts that must fail: /proc of the host, chroot escapes, leaked host fds, a cwd through a leaked
// fd (CVE-2024-21626), overwriting the runtime binary through /proc/<pid>/exe (CVE-2019-5736), and a failed
// create that must leave nothing behind.
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <functional>

#include "support.hpp"

using namespace lifecycle_test;

namespace {

// chroot into a subdirectory while keeping a directory fd of the old root, fchdir back out of the new root,
// climb with "..", then chroot(".") there: the classic escape from a chroot (not from a pivot_root).
const char* kEscapeSource = R"(#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
int main(int argc, char** argv) {
  if (argc < 2) return 9;
  mkdir("/tmp/jail", 0755);
  int fd = open("/", O_RDONLY | O_DIRECTORY);
  if (chroot("/tmp/jail") != 0) { perror("chroot jail"); printf("CHROOT=failed\n"); return 2; }
  if (fchdir(fd) != 0) { perror("fchdir"); return 3; }
  for (int i = 0; i < 256; i++) chdir("..");
  if (chroot(".") != 0) { perror("chroot ."); return 4; }
  chdir("/");
  printf("CHROOT=ok\nESCAPED=%d\nROOTFS=%d\n", access(argv[1], F_OK) == 0, access("/ROOTFS_MARKER", F_OK) == 0);
  return 0;
}
)";

// A directory removed when the test binary exits.
struct TempDir {
  stdfs::path path;
  ~TempDir() {
    std::error_code ec;
    stdfs::remove_all(path, ec);
  }
};

// Compared by hash: Catch would print a 30 MB string on a mismatch.
size_t binary_hash() {
  return std::hash<std::string>{}(read_text(agentrt_bin()));
}

stdfs::path escape_binary() {
  static const TempDir dir_holder{stdfs::path(kTestBase) / ("escape-" + std::to_string(getpid()))};
  static const stdfs::path bin = [] {
    const auto& dir = dir_holder.path;
    stdfs::create_directories(dir);
    write_text(dir / "escape.c", kEscapeSource);
    auto r = execute(
        {"/usr/bin/cc", "-static", "-O1", "-o", (dir / "escape").string(), (dir / "escape.c").string()}, 120);
    INFO(r.all());
    REQUIRE(r.code == 0);
    return dir / "escape";
  }();
  return bin;
}

void use_caps(json& config, const std::vector<std::string>& caps) {
  json c = caps;
  config["process"]["capabilities"] = {{"bounding", c}, {"effective", c}, {"permitted", c}};
}

}  // namespace

TEST_CASE("the container's /proc shows only its own processes", "[security]") {
  Fixture fx;
  auto& b = fx.bundle("proc");
  b.script("echo SELF=$(test -e /proc/" + std::to_string(getpid()) +
           " && echo visible || echo hidden); echo INIT=$(tr '\\0' ' ' < /proc/1/cmdline); echo N=$(ls -d "
           "/proc/[0-9]* | wc -l)");
  b.save();
  auto r = fx.agentrt()({"run", "-b", b.dir(), b.id()});
  INFO(r.all());
  REQUIRE(r.code == 0);
  CHECK(value_of(r.out, "SELF") == "hidden");
  CHECK(contains(value_of(r.out, "INIT").value_or(""), "sh -c : " + b.id()));
  // sh, the command substitution's subshell, ls and wc.
  CHECK(std::stoi(value_of(r.out, "N").value_or("99")) <= 4);
}

TEST_CASE("root with CAP_SYS_CHROOT cannot chroot-escape a pivot_root'ed container", "[security]") {
  Fixture fx;
  auto bin = escape_binary();
  auto& b = fx.bundle("chroot");
  stdfs::copy_file(bin, b.rootfs() / "bin/escape");
  use_caps(b.config(), {"CAP_SYS_CHROOT", "CAP_DAC_OVERRIDE", "CAP_CHOWN", "CAP_FOWNER"});
  b.script("/bin/escape " + fx.host_marker().string() + "; echo RC=$?; cat " + fx.host_marker().string() +
           " 2>/dev/null; true");
  b.save();
  auto r = fx.agentrt()({"run", "-b", b.dir(), b.id()});
  INFO(r.all());
  REQUIRE(r.code == 0);
  CHECK(value_of(r.out, "CHROOT") == "ok");
  CHECK(value_of(r.out, "ESCAPED") == "0");
  CHECK(value_of(r.out, "ROOTFS") == "1");
  CHECK_FALSE(contains(r.out, kHostMarkerText));

  SECTION("the default agent profile refuses chroot altogether") {
    auto& a = fx.bundle("chrootagent");
    stdfs::copy_file(bin, a.rootfs() / "bin/escape");
    use_caps(a.config(), {"CAP_SYS_CHROOT"});
    a.script("/bin/escape " + fx.host_marker().string() + "; echo RC=$?");
    a.save();
    auto ra = fx.agentrt("")({"run", "-b", a.dir(), a.id()});
    INFO(ra.all());
    REQUIRE(ra.code == 0);
    CHECK(value_of(ra.out, "CHROOT") == "failed");
    CHECK(value_of(ra.out, "RC") == "2");
  }
}

TEST_CASE("no host fd reaches the container, even fds open without CLOEXEC in agentrt's parent",
          "[security]") {
  Fixture fx;
  auto rt = fx.agentrt();
  // A child shell lists pid 1's fds: pid 1 itself runs no applet in-process and redirects nothing, so its
  // table holds only what the runtime handed over.
  const std::string list_fds = print_section("fds", "sh -c 'ls -l /proc/1/fd'");
  auto fd_numbers = [](const std::string& out) {
    std::string nums;
    for (const auto& l : split_lines(section(out, "fds"))) {
      auto arrow = l.find(" -> ");
      if (arrow == std::string::npos) continue;
      auto before = l.substr(0, arrow);
      nums += before.substr(before.rfind(' ') + 1) + " ";
    }
    return trim(nums);
  };
  auto via_shell = [&](const std::string& fd, const std::vector<std::string>& args, const stdfs::path& out) {
    std::vector<std::string> argv{"/bin/sh", "-c", "exec " + fd + "</etc/hostname; exec \"$@\"", "sh"};
    auto inner = rt.argv(args);
    argv.insert(argv.end(), inner.begin(), inner.end());
    return execute_to(argv, out, out.string() + ".err");
  };
  SECTION("run") {
    auto& b = fx.bundle("fdrun");
    b.script(list_fds);
    b.save();
    auto r = via_shell("7", {"run", "-b", b.dir().string(), b.id()}, b.dir() / "out");
    INFO(r.all());
    REQUIRE(r.code == 0);
    CHECK(fd_numbers(r.out) == "0 1 2");
    CHECK_FALSE(contains(r.out, "hostname"));
  }
  SECTION("create then start, each with an extra fd") {
    auto& b = fx.bundle("fdcreate");
    b.script(list_fds);
    b.save();
    auto out = b.dir() / "out";
    REQUIRE(via_shell("7", {"create", "-b", b.dir().string(), b.id()}, out).code == 0);
    REQUIRE(via_shell("8", {"start", b.id()}, b.dir() / "start.out").code == 0);
    REQUIRE(rt.wait_status(b.id(), "stopped"));
    auto printed = read_text(out);
    INFO(printed);
    CHECK(fd_numbers(printed) == "0 1 2");
    CHECK_FALSE(contains(printed, "hostname"));
  }
}

TEST_CASE("a cwd through /proc/self/fd/N cannot reach a host directory (CVE-2024-21626)", "[security]") {
  Fixture fx;
  auto rt = fx.agentrt();
  // What an escaped cwd would find: the marker right there, or up the tree from the host's root.
  auto rel_marker = fx.host_marker().relative_path().string();
  std::string probe =
      "cat HOST_MARKER 2>/dev/null; for i in 1 2 3 4 5 6 7 8 9 10; do cd .. 2>/dev/null; done; cat " +
      rel_marker + " 2>/dev/null; echo PWD=$(pwd)";
  for (int n = 3; n <= 9; ++n) {
    auto& b = fx.bundle("cwdfd");
    b.config()["process"]["cwd"] = "/proc/self/fd/" + std::to_string(n);
    b.script(probe);
    b.save();
    auto out = b.dir() / "out";
    // The test's own leaked directory fd at 7, like an engine that leaks one.
    std::vector<std::string> argv{"/bin/sh", "-c", "exec 7<" + fx.base().string() + "; exec \"$@\"", "sh"};
    auto inner = rt.argv({"run", "-b", b.dir().string(), b.id()});
    argv.insert(argv.end(), inner.begin(), inner.end());
    auto r = execute_to(argv, out, out.string() + ".err");
    INFO("cwd /proc/self/fd/" << n << " exit " << r.code << "\n" << r.all());
    CHECK_FALSE(contains(r.out, kHostMarkerText));
    if (r.code == 0) {
      // It ran: then its cwd must have been inside the container.
      auto pwd = value_of(r.out, "PWD");
      CHECK((pwd && *pwd == "/"));
    }
  }
}

TEST_CASE(
    "a process sharing the pid namespace of a created container cannot overwrite the runtime binary "
    "(CVE-2019-5736)",
    "[security]") {
  Fixture fx;
  auto rt = fx.agentrt();
  REQUIRE(stdfs::file_size(agentrt_bin()) > 0);
  auto binary_before = binary_hash();
  auto& a = fx.bundle("victim");
  a.script("true");
  a.save();
  REQUIRE(rt({"create", "-b", a.dir(), a.id()}).code == 0);
  int init = rt.state(a.id()).value()["pid"];

  auto& b = fx.bundle("attacker");
  for (auto& ns : b.config()["linux"]["namespaces"])
    if (ns["type"] == "pid") ns["path"] = "/proc/" + std::to_string(init) + "/ns/pid";
  use_caps(b.config(),
           {"CAP_SYS_PTRACE", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_SYS_ADMIN"});
  b.script(
      "for p in /proc/[0-9]*; do e=$(readlink $p/exe 2>/dev/null); echo EXE=${p#/proc/}:$e; "
      "if (echo '#!/bin/sh' >> $p/exe) 2>/dev/null; then echo WROTE=${p#/proc/}; fi; "
      "if (: > $p/exe) 2>/dev/null; then echo TRUNCATED=${p#/proc/}; fi; done");
  b.save();
  auto r = rt({"run", "-b", b.dir(), b.id()});
  INFO(r.all());
  REQUIRE(r.code == 0);
  // The attacker sees the victim's init (it shares its pid namespace) ...
  CHECK(contains(r.out, "EXE=1:"));
  // ... but can write to no process image, and the runtime binary is unchanged.
  CHECK(values_of(r.out, "WROTE").empty());
  CHECK(values_of(r.out, "TRUNCATED").empty());
  CHECK(binary_hash() == binary_before);
}

TEST_CASE("a process started by agentrt exec cannot overwrite the runtime binary (CVE-2019-5736)",
          "[security]") {
  Fixture fx;
  auto rt = fx.agentrt();
  auto binary_before = binary_hash();
  auto& a = fx.bundle("execvictim");
  use_caps(a.config(), {"CAP_SYS_PTRACE", "CAP_DAC_OVERRIDE", "CAP_FOWNER"});
  a.add_ctl_mount().script(kWaitForGo);
  a.save();
  REQUIRE(rt({"run", "-d", "-b", a.dir(), a.id()}).code == 0);
  REQUIRE(rt.wait_status(a.id(), "running"));
  auto r = rt({"exec", a.id(), "sh", "-c",
               "for p in /proc/[0-9]* /proc/self; do echo EXE=${p#/proc/}:$(readlink $p/exe 2>/dev/null); "
               "if (echo '#!/bin/sh' >> $p/exe) 2>/dev/null; then echo WROTE=${p#/proc/}; fi; done; "
               "for f in /proc/self/fd/*; do echo FD=$(readlink $f); done"});
  INFO(r.all());
  REQUIRE(r.code == 0);
  CHECK(contains(r.out, "EXE=1:/bin/busybox"));
  CHECK(values_of(r.out, "WROTE").empty());
  for (const auto& fd : values_of(r.out, "FD")) {
    INFO(fd);
    CHECK_FALSE(contains(fd, agentrt_bin()));
    CHECK_FALSE(contains(fd, "memfd:"));
    CHECK_FALSE(contains(fd, AGENTRT_SOURCE_DIR));
  }
  CHECK(binary_hash() == binary_before);
  fx.release(a);
}

TEST_CASE("a failed create leaves nothing behind", "[security]") {
  Fixture fx;
  auto rt = fx.agentrt();
  struct Case {
    std::string name;
    std::function<void(Bundle&)> breakit;
  };
  std::vector<Case> cases{
      {"invalid json", [](Bundle& b) { write_text(b.dir() / "config.json", "{\"ociVersion\": "); }},
      {"wrong type",
       [](Bundle& b) {
         b.config()["process"]["args"] = 5;
         b.save();
       }},
      {"missing rootfs",
       [](Bundle& b) {
         b.config()["root"]["path"] = "no-such-rootfs";
         b.save();
       }},
      {"missing executable",
       [](Bundle& b) {
         b.config()["process"]["args"] = {"/no/such/binary"};
         b.save();
       }},
      {"missing bind source",
       [](Bundle& b) {
         b.config()["mounts"].push_back({{"destination", "/mnt/x"},
                                         {"type", "bind"},
                                         {"source", "/no/such/dir"},
                                         {"options", {"bind"}}});
         b.save();
       }},
      {"failing createRuntime hook",
       [](Bundle& b) {
         b.config()["hooks"] = {{"createRuntime", {{{"path", "/bin/false"}}}}};
         b.save();
       }},
      {"missing prestart hook",
       [](Bundle& b) {
         b.config()["hooks"] = {{"prestart", {{{"path", "/no/such/hook"}}}}};
         b.save();
       }},
  };
  for (const auto& c : cases) {
    auto& b = fx.bundle("failed");
    b.script("true");
    c.breakit(b);
    auto r = rt({"create", "-b", b.dir(), b.id()});
    INFO(c.name << ": exit " << r.code << "\n" << r.all());
    CHECK(r.code != 0);
    CHECK(r.code != -1);
    auto st = rt({"state", b.id()});
    CHECK(st.code != 0);
    CHECK(contains(st.err, "container does not exist"));
    fx.check_no_leaks(b.id());
  }
}
