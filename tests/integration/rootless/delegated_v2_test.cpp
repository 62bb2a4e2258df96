// Rootless limits in a delegated cgroup v2 subtree: run in the nested pure-v2 kernel (tests/v2vm). The test
// (root) delegates /sys/fs/cgroup/rootless-it to the test user as systemd's Delegate=yes would: the
// directory, its cgroup.procs and cgroup.subtree_control are the user's, and the user's commands start in
// its leaf rootless-it/runner. A container's default cgroup is then rootless-it/<id> for runc and agentrt.
// Hidden tag: only the nested-kernel leg runs these ("[rootless],[rootless_v2]"); elsewhere they would skip.
#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "fixture.hpp"
#include "integration_support/runtime.hpp"
#include "integration_support/wait.hpp"

using namespace rootless_test;

namespace {

const stdfs::path kCgroupRoot = "/sys/fs/cgroup";

std::string read_text(const stdfs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// "key N" of a flat-keyed file such as pids.events or memory.events; -1 when absent.
long long keyed_value(const stdfs::path& p, const std::string& key) {
  std::istringstream in(read_text(p));
  std::string k;
  long long v;
  while (in >> k >> v)
    if (k == key) return v;
  return -1;
}

class DelegatedSubtree {
 public:
  explicit DelegatedSubtree(TestUser& user) : base_(kCgroupRoot / "rootless-it") {
    remove();
    stdfs::create_directories(base_ / "runner");
    for (const char* c : {"+pids", "+memory"}) std::ofstream(base_ / "cgroup.subtree_control") << c;
    for (const char* f : {"", "cgroup.procs", "cgroup.subtree_control", "cgroup.threads"})
      REQUIRE(itest::execute({"/bin/chown", std::to_string(user.uid()) + ":" + std::to_string(user.gid()),
                              (base_ / f).string()})
                  .code == 0);
    user.give(base_ / "runner");
    user.run_in_cgroup(base_ / "runner");
  }
  ~DelegatedSubtree() { remove(); }
  const stdfs::path& base() const { return base_; }

 private:
  void remove() {
    if (!stdfs::exists(base_)) return;
    for (const auto& e : stdfs::directory_iterator(base_))
      if (e.is_directory()) ::rmdir(e.path().c_str());
    ::rmdir(base_.c_str());
  }
  stdfs::path base_;
};

bool delegation_possible() {
  if (!stdfs::exists(kCgroupRoot / "cgroup.controllers")) return false;
  std::string enabled = read_text(kCgroupRoot / "cgroup.subtree_control");
  return enabled.find("pids") != std::string::npos && enabled.find("memory") != std::string::npos;
}

}  // namespace

TEST_CASE("rootless v2: a pids limit in a delegated subtree stops a fork bomb", "[.][rootless_v2]") {
  if (!delegation_possible()) {
    WARN("SKIP: needs cgroup v2 with pids and memory enabled at the root (run it in tests/v2vm)");
    return;
  }
  std::string runtime = GENERATE("runc", "agentrt");
  INFO(runtime);
  Fixture f;
  DelegatedSubtree subtree(f.user());
  auto& b =
      f.bundle(runtime, "forkbomb",
               {"sh", "-c",
                "(i=0; while [ $i -lt 64 ]; do sleep 300 & i=$((i+1)); done) 2>/dev/null; exec sleep 300"});
  b.resources()["pids"]["limit"] = 16;
  f.save(b);
  auto r = f.rt(runtime, {"run", "--detach", "--bundle", b.dir().string(), b.id()}, {}, 120);
  INFO(r.err);
  REQUIRE(r.code == 0);
  stdfs::path cg = subtree.base() / b.id();
  CHECK(stdfs::exists(cg / "pids.max"));
  CHECK(read_text(cg / "pids.max") == "16\n");
  // The bomb fills the limit and the kernel refuses the rest.
  CHECK(itest::eventually([&] { return keyed_value(cg / "pids.events", "max") > 0; }, 60));
  // 16 while the bomb's subshell still runs, 15 once its failed fork ended it: never more.
  long long current = std::stoll(read_text(cg / "pids.current"));
  CHECK(current >= 15);
  CHECK(current <= 16);
  CHECK(f.rt(runtime, {"kill", b.id(), "KILL"}, {}, 60).code == 0);
  CHECK(f.rt(runtime, {"delete", "--force", b.id()}, {}, 60).code == 0);
  CHECK_FALSE(stdfs::exists(cg));
}

TEST_CASE("rootless v2: a memory limit in a delegated subtree is enforced", "[.][rootless_v2]") {
  if (!delegation_possible()) {
    WARN("SKIP: needs cgroup v2 with pids and memory enabled at the root (run it in tests/v2vm)");
    return;
  }
  std::string runtime = GENERATE("runc", "agentrt");
  INFO(runtime);
  Fixture f;
  DelegatedSubtree subtree(f.user());
  // tmpfs pages are charged to the cgroup and cannot be reclaimed without swap: 48 MiB in /dev/shm cannot
  // fit under 16 MiB.
  auto& b = f.bundle(runtime, "memory", {"sh", "-c", "head -c 48m /dev/zero > /dev/shm/fill; sleep 300"});
  b.resources()["memory"]["limit"] = 16 << 20;
  f.save(b);
  auto r = f.rt(runtime, {"run", "--detach", "--bundle", b.dir().string(), b.id()}, {}, 120);
  INFO(r.err);
  REQUIRE(r.code == 0);
  stdfs::path cg = subtree.base() / b.id();
  CHECK(read_text(cg / "memory.max") == std::to_string(16 << 20) + "\n");
  CHECK(itest::eventually([&] { return keyed_value(cg / "memory.events", "oom_kill") > 0; }, 60));
  CHECK(keyed_value(cg / "memory.stat", "shmem") <= (16 << 20));
  CHECK(f.rt(runtime, {"delete", "--force", b.id()}, {}, 60).code == 0);
  CHECK_FALSE(stdfs::exists(cg));
}
