// A container owns only its own processes: create refuses a cgroup that already holds processes (or a
// hierarchy's root), and kill --all / delete -f leave alone a process that is not the container's.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>

#include "integration/cgroup_cli/support.hpp"

using namespace cgroup_cli_test;

namespace {

// The hierarchy that lists a container's processes: v1's pids, or the cgroup2 root on a pure v2 host.
stdfs::path pids_root() {
  return stdfs::exists("/sys/fs/cgroup/pids") ? "/sys/fs/cgroup/pids" : "/sys/fs/cgroup";
}

stdfs::path pids_cgroup_of(int pid) {
  return ProcessCgroup(pid).dir("pids");
}

bool alive(pid_t pid) {
  std::string st = read_text("/proc/" + std::to_string(pid) + "/stat");
  auto close = st.rfind(')');
  return !st.empty() && close != std::string::npos && st.substr(close + 2, 1) != "Z";
}

void move_to(const stdfs::path& cgroup, pid_t pid) {
  std::ofstream(cgroup / "cgroup.procs") << pid << std::endl;
}

// A host process (sleep) that is not any container's, killed and reaped on destruction.
class HostSleeper {
 public:
  HostSleeper() {
    pid_ = fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      execl("/bin/sleep", "sleep", "1000", static_cast<char*>(nullptr));
      _exit(127);
    }
  }
  ~HostSleeper() {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
};

// A cgroup made by the test (not by agentrt) in the pids hierarchy; moves its processes back to the root
// and removes itself on destruction.
class HostCgroup {
 public:
  explicit HostCgroup(const std::string& name) : dir_(pids_root() / name) {
    stdfs::create_directories(dir_ / "sub");
  }
  ~HostCgroup() {
    for (const auto& d : {dir_ / "sub", dir_}) {
      std::ifstream in(d / "cgroup.procs");
      for (pid_t p; in >> p;) move_to(pids_root(), p);
      std::error_code ec;
      stdfs::remove(d, ec);
    }
  }
  const stdfs::path& dir() const { return dir_; }

 private:
  stdfs::path dir_;
};

}  // namespace

TEST_CASE("create refuses a cgroupsPath that already holds host processes, and delete -f spares them",
          "[ownership]") {
  Fixture fx;
  auto& b = fx.bundle("foreign").script("sleep 1000");
  std::string name = unique_id("cc", "hostcg");
  HostCgroup host(name);
  HostSleeper sleeper;
  // In a sub-cgroup: the check covers the whole subtree, as kill --all and delete -f would.
  bool in_sub = GENERATE(false, true);
  CAPTURE(in_sub);
  move_to(in_sub ? host.dir() / "sub" : host.dir(), sleeper.pid());
  b.config()["linux"]["cgroupsPath"] = "/" + name;
  b.save();

  Result c = fx.agentrt({"create", "--bundle", b.dir().string(), b.id()});
  INFO("create: " << c.all());
  CHECK(c.code != 0);
  CHECK(contains(c.err, "linux.cgroupsPath"));
  CHECK(contains(c.err, std::to_string(sleeper.pid()) + " sleep"));
  Result d = fx.agentrt({"delete", "-f", b.id()});
  INFO("delete: " << d.all());
  CHECK(alive(sleeper.pid()));
  CHECK(fx.state(b.id()) == std::nullopt);
  // Nothing was made in the other hierarchies for the refused container.
  for (const auto& p : cgroups_named(name)) CHECK(p.parent_path() == pids_root());
}

TEST_CASE("create refuses the root of the cgroup hierarchy as cgroupsPath", "[ownership]") {
  Fixture fx;
  auto& b = fx.bundle("rootcg");
  b.config()["linux"]["cgroupsPath"] = "/";
  b.save();
  Result c = fx.agentrt({"create", "--bundle", b.dir().string(), b.id()});
  INFO("create: " << c.all());
  CHECK(c.code != 0);
  CHECK(contains(c.err, "linux.cgroupsPath"));
  CHECK(contains(c.err, "root of the"));
  CHECK(fx.state(b.id()) == std::nullopt);
}

TEST_CASE("kill --all and delete -f signal only the container's processes", "[ownership]") {
  Fixture fx;
  auto& b = fx.bundle("owned").script("sleep 1001 & touch /ctl/ready; wait");
  int pid = fx.run_detached(b);
  REQUIRE(eventually([&] { return stdfs::exists(b.ctl() / "ready"); }, 10));
  auto cg = pids_cgroup_of(pid);
  REQUIRE(!cg.empty());
  // A host process put into the container's cgroup after create (by an administrator, another tool ...):
  // it is in the cgroup but not in the container's pid namespace.
  HostSleeper sleeper;
  move_to(cg, sleeper.pid());

  Result ps = fx.agentrt({"ps", "-f", "json", b.id()});
  INFO("ps: " << ps.all());
  REQUIRE(ps.code == 0);
  CHECK_FALSE(contains(ps.out, std::to_string(sleeper.pid())));
  CHECK(contains(ps.out, std::to_string(pid)));

  Result k = fx.agentrt({"kill", "--all", b.id(), "KILL"});
  INFO("kill: " << k.all());
  CHECK(k.code == 0);
  CHECK(fx.wait_status(b.id(), "stopped"));
  CHECK(alive(sleeper.pid()));

  // The cgroup cannot go while the foreign process is in it: delete says so and keeps the container.
  Result d = fx.agentrt({"delete", "-f", b.id()});
  INFO("delete: " << d.all());
  CHECK(alive(sleeper.pid()));
  CHECK(d.code != 0);
  CHECK(contains(d.err, std::to_string(sleeper.pid())));
  move_to(pids_root(), sleeper.pid());
  Result again = fx.agentrt({"delete", "-f", b.id()});
  INFO("delete again: " << again.all());
  CHECK(again.code == 0);
  CHECK(fx.state(b.id()) == std::nullopt);
  CHECK(alive(sleeper.pid()));
}
