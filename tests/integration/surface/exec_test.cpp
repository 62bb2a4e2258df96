// `exec` with each of its flags, against a running busybox container.
#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <future>

#include "support.hpp"

using namespace surface_test;

namespace {

struct Running {
  explicit Running(const std::string& tag, const std::string& profile = "off",
                   const std::function<void(json&)>& tweak = {})
      : rt(AGENTRT_BIN, tag, agentrt_globals(profile)), b(tag) {
    b.args({"sleep", "1000"});
    if (tweak) tweak(b.config());
    auto c = rt.create(b);
    REQUIRE(c.code == 0);
    auto s = rt({"start", b.id()});
    REQUIRE(s.code == 0);
    REQUIRE(rt.wait_status(b.id(), "running"));
    pid = rt.state(b.id())->at("pid").get<int>();
  }
  Result exec(const std::vector<std::string>& args, const RunOptions& opts = {}) {
    std::vector<std::string> a{"exec"};
    a.insert(a.end(), args.begin(), args.end());
    return rt(a, opts);
  }
  Runtime rt;
  Bundle b;
  int pid = 0;
};

unsigned long long cap_eff(const std::string& status) {
  auto v = status_field(status, "CapEff");
  REQUIRE(v);
  return std::stoull(*v, nullptr, 16);
}

}  // namespace

TEST_CASE("exec propagates the exit code and output of plain args", "[exec]") {
  Running c("ex-args");
  auto r = c.exec({c.b.id(), "sh", "-c", "exit 7"});
  CHECK(r.code == 7);
  r = c.exec({c.b.id(), "echo", "hello", "world"});
  CHECK(r.code == 0);
  CHECK(r.out == "hello world\n");
  r = c.exec({c.b.id(), "/no/such/binary"});
  CHECK(r.code != 0);
}

TEST_CASE("exec --process runs a process.json", "[exec]") {
  Running c("ex-proc");
  json p = {{"terminal", false},
            {"user", {{"uid", 0}, {"gid", 0}}},
            {"args", {"sh", "-c", "echo $FOO; pwd; exit 3"}},
            {"env", {"PATH=/bin", "FOO=from-process-json"}},
            {"cwd", "/tmp"}};
  auto path = c.b.dir() / "process.json";
  write_text(path, p.dump());
  auto r = c.exec({"--process", path.string(), c.b.id()});
  CHECK(r.code == 3);
  CHECK(r.out == "from-process-json\n/tmp\n");
}

TEST_CASE("exec -e adds and overrides environment variables", "[exec]") {
  Running c("ex-env");
  auto r =
      c.exec({"-e", "NEWVAR=added", "--env", "TERM=dumb", c.b.id(), "sh", "-c", "echo $NEWVAR $TERM $PATH"});
  CHECK(r.code == 0);
  CHECK(r.out == "added dumb /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n");
}

TEST_CASE("exec -u and --additional-gids set the credentials", "[exec]") {
  Running c("ex-user");
  auto r = c.exec({"-u", "1000:1000", "--additional-gids", "5", "--additional-gids", "42", c.b.id(), "sh",
                   "-c", "id -u; id -g; id -G"});
  REQUIRE(r.code == 0);
  auto out = r.out;
  CHECK(out.rfind("1000\n1000\n", 0) == 0);
  auto groups = out.substr(out.find('\n', out.find('\n') + 1) + 1);
  CHECK(contains(" " + trim(groups) + " ", " 5 "));
  CHECK(contains(" " + trim(groups) + " ", " 42 "));
  r = c.exec({"--user", "1000", c.b.id(), "id", "-u"});
  CHECK(r.out == "1000\n");
}

TEST_CASE("exec --cwd sets the working directory", "[exec]") {
  Running c("ex-cwd");
  auto r = c.exec({"--cwd", "/tmp", c.b.id(), "pwd"});
  CHECK(r.code == 0);
  CHECK(r.out == "/tmp\n");
}

TEST_CASE("exec -t sends the pty master to --console-socket", "[exec][terminal]") {
  Running c("ex-tty");
  ConsoleSocket sock("ex-tty");
  auto fut = std::async(std::launch::async, [&] {
    return c.exec({"-t", "--console-socket", sock.path().string(), c.b.id(), "sh"},
                  RunOptions{{}, {}, false, 20});
  });
  int master = sock.accept_fd();
  REQUIRE(master >= 0);
  auto got = pty_converse(master, "echo h''i; tty; exit\n", "/dev/pts/");
  got += pty_converse(master, "", "\n", 2000);
  // The shell gets SIGHUP (exit 129) if the master closes before it has exited: wait for exec first (under
  // emulation the exit can come after the read above gave up).
  auto r = fut.get();
  close(master);
  CHECK(contains(got, "hi\r\n"));
  CHECK(contains(got, "/dev/pts/"));
  CHECK(r.code == 0);
}

TEST_CASE("exec -d --pid-file leaves a live process in the container's pid namespace", "[exec]") {
  Running c("ex-detach");
  auto pidfile = c.b.dir() / "exec.pid";
  auto r = c.exec({"-d", "--pid-file", pidfile.string(), c.b.id(), "sleep", "300"});
  REQUIRE(r.code == 0);
  auto text = read_text(pidfile);
  REQUIRE(!text.empty());
  int pid = std::stoi(text);
  auto status = read_text("/proc/" + std::to_string(pid) + "/status");
  REQUIRE(!status.empty());
  auto nspid = status_field(status, "NSpid");
  REQUIRE(nspid);
  CHECK(nspid->find_first_of(" \t") !=
        std::string::npos);  // a second pid: the one in the container's namespace
  CHECK(stdfs::read_symlink("/proc/" + std::to_string(pid) + "/ns/pid") ==
        stdfs::read_symlink("/proc/" + std::to_string(c.pid) + "/ns/pid"));
  CHECK(contains(read_text("/proc/" + std::to_string(pid) + "/cmdline"), "sleep"));
  auto ps = c.exec({c.b.id(), "ps", "-o", "pid,args"});
  CHECK(contains(ps.out, "sleep 300"));
}

TEST_CASE("exec --cap adds a capability to the effective set", "[exec]") {
  Running c("ex-cap");
  constexpr unsigned long long sys_admin = 1ULL << 21;
  auto plain = c.exec({c.b.id(), "cat", "/proc/self/status"});
  REQUIRE(plain.code == 0);
  CHECK((cap_eff(plain.out) & sys_admin) == 0);
  auto with = c.exec({"--cap", "CAP_SYS_ADMIN", c.b.id(), "cat", "/proc/self/status"});
  REQUIRE(with.code == 0);
  CHECK((cap_eff(with.out) & sys_admin) != 0);
}

TEST_CASE("exec --no-new-privs sets no_new_privs", "[exec]") {
  Running c("ex-nnp", "off", [](json& cfg) { cfg["process"]["noNewPrivileges"] = false; });
  auto plain = c.exec({c.b.id(), "cat", "/proc/self/status"});
  CHECK(status_field(plain.out, "NoNewPrivs") == "0");
  auto with = c.exec({"--no-new-privs", c.b.id(), "cat", "/proc/self/status"});
  CHECK(status_field(with.out, "NoNewPrivs") == "1");
}

TEST_CASE("exec --preserve-fds passes fd 3 into the container", "[exec]") {
  Running c("ex-fds");
  int p[2];
  REQUIRE(pipe2(p, O_CLOEXEC) == 0);
  REQUIRE(write(p[1], "payload-via-fd3", 15) == 15);
  close(p[1]);
  auto r = c.exec({"--preserve-fds", "1", c.b.id(), "sh", "-c", "cat <&3"},
                  RunOptions{{{p[0], 3}}, {}, false, 30});
  close(p[0]);
  CHECK(r.code == 0);
  CHECK(r.out == "payload-via-fd3");
}

TEST_CASE("exec into a stopped container fails", "[exec]") {
  Runtime rt(AGENTRT_BIN, "ex-stopped", agentrt_globals());
  Bundle b("ex-stopped");
  b.args({"true"});
  REQUIRE(rt.create(b).code == 0);
  REQUIRE(rt({"start", b.id()}).code == 0);
  REQUIRE(rt.wait_status(b.id(), "stopped"));
  auto r = rt({"exec", b.id(), "echo", "should-not-run"});
  CHECK(r.code != 0);
  CHECK(!contains(r.out, "should-not-run"));
  CHECK(!r.err.empty());
}

TEST_CASE("exec joins the init's namespaces and cgroup", "[exec]") {
  Running c("ex-ns");
  std::string script;
  for (const char* ns : {"pid", "net", "ipc", "uts", "mnt"})
    script += std::string("echo ") + ns + "=$(readlink /proc/self/ns/" + ns + "); ";
  script += "cat /proc/self/cgroup";
  auto r = c.exec({c.b.id(), "sh", "-c", script});
  REQUIRE(r.code == 0);
  auto init = "/proc/" + std::to_string(c.pid);
  for (const char* ns : {"pid", "net", "ipc", "uts", "mnt"}) {
    auto want = std::string(ns) + "=" + stdfs::read_symlink(init + "/ns/" + ns).string() + "\n";
    CHECK(contains(r.out, want));
  }
  auto host_cgroup = read_text(init + "/cgroup");
  REQUIRE(!host_cgroup.empty());
  CHECK(contains(r.out, host_cgroup));
}

TEST_CASE("the agent policy applies to exec under the default profile", "[exec][policy]") {
  Running c("ex-policy", "", [](json& cfg) { cfg["process"]["noNewPrivileges"] = false; });
  auto r = c.exec({c.b.id(), "cat", "/proc/self/status"});
  REQUIRE(r.code == 0);
  CHECK(status_field(r.out, "Seccomp") == "2");
  CHECK(status_field(r.out, "NoNewPrivs") == "1");
}

TEST_CASE("exec leaks no fds even when the caller has non-CLOEXEC fds open", "[exec]") {
  Running c("ex-stray");
  int stray = open("/dev/null", O_RDONLY);  // deliberately inheritable
  REQUIRE(stray >= 0);
  int stray2 = open("/proc/self/status", O_RDONLY);
  REQUIRE(stray2 >= 0);
  RunOptions opts;
  opts.keep_extra_fds_open = true;
  // `ls /proc/$$/fd` lists the shell's own fds (the `true` keeps sh from exec'ing ls in its place).
  auto r = c.exec({c.b.id(), "sh", "-c", "ls /proc/$$/fd; true"}, opts);
  close(stray);
  close(stray2);
  CHECK(r.code == 0);
  CHECK(r.out == "0\n1\n2\n");
}
