#include <poll.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <csignal>
#include <cstring>

#include "fixture.hpp"

using namespace cgtest;
using agentrt::fs::join;

TEST_CASE("pids limit stops a fork bomb with EAGAIN") {
  TestCgroup cg;
  agentrt::oci::Resources r;
  r.pids = agentrt::oci::PidsResources{10};
  // Exit status: 0 = fork failed with EAGAIN before 100 forks; 1 = never failed; 2 = another errno.
  Child bomb([] {
    for (int i = 0; i < 100; ++i) {
      pid_t p = ::fork();
      if (p == 0) {
        for (;;) ::pause();
      }
      if (p < 0) return errno == EAGAIN ? 0 : 2;
    }
    return 1;
  });
  cg->add_process(bomb.pid());
  cg->apply(r);
  bomb.go();
  int status = bomb.wait();
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  auto left = cg->pids();
  CHECK(left.size() == 9);  // the bomb's children that fit under the limit (the bomb itself has exited)
  cg->kill_all(SIGKILL);
  CHECK(cg->pids().empty());
}

TEST_CASE("memory limit OOM-kills a child that allocates, and the watcher reports it") {
  TestCgroup cg;
  agentrt::oci::Resources r;
  r.memory.emplace();
  r.memory->limit = 32 << 20;
  r.memory->swap = 32 << 20;  // no swap on top: the child cannot escape by swapping
  Child hog([] {
    const size_t size = 512u << 20;
    char* p =
        static_cast<char*>(::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    if (p == MAP_FAILED) return 3;
    for (size_t i = 0; i < size; i += 4096) p[i] = 1;
    return 0;  // survived: the limit did not work
  });
  cg->add_process(hog.pid());
  cg->apply(r);
  auto watcher = cg->watch_oom();
  REQUIRE(watcher);
  CHECK(watcher->consume() == 0);
  hog.go();
  int status = hog.wait();
  REQUIRE(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGKILL);
  pollfd pfd{watcher->fd(), POLLIN, 0};
  REQUIRE(::poll(&pfd, 1, 5000) == 1);
  CHECK(watcher->consume() >= 1);
  CHECK(watcher->consume() == 0);
}

TEST_CASE("freeze stops a counter, thaw resumes it") {
  TestCgroup cg;
  auto* counter = static_cast<volatile uint64_t*>(
      ::mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0));
  REQUIRE(counter != MAP_FAILED);
  Child spin([counter] {
    for (;;) *counter = *counter + 1;
    return 0;
  });
  cg->add_process(spin.pid());
  spin.go();
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  CHECK_FALSE(cg->frozen());
  cg->freeze();
  CHECK(cg->frozen());
  uint64_t a = *counter;
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  CHECK(*counter == a);
  cg->thaw();
  CHECK_FALSE(cg->frozen());
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  CHECK(*counter > a);
  cg->kill_all(SIGKILL);
  ::munmap(const_cast<uint64_t*>(counter), 4096);
}

TEST_CASE("kill_all signals every process, also while frozen") {
  TestCgroup cg;
  auto a = sleeper();
  auto b = sleeper();
  cg->add_process(a->pid());
  cg->add_process(b->pid());
  SECTION("SIGTERM") {
    cg->kill_all(SIGTERM);
    CHECK(WTERMSIG(a->wait()) == SIGTERM);
    CHECK(WTERMSIG(b->wait()) == SIGTERM);
  }
  SECTION("SIGKILL of a frozen cgroup") {
    cg->freeze();
    cg->kill_all(SIGKILL);
    CHECK(cg->pids().empty());
    CHECK(WTERMSIG(a->wait()) == SIGKILL);
    CHECK(WTERMSIG(b->wait()) == SIGKILL);
  }
}

TEST_CASE("cpuset is visible to the process") {
  TestCgroup cg;
  agentrt::oci::Resources r;
  r.cpu.emplace();
  r.cpu->cpus = "0";
  r.cpu->mems = "0";
  auto child = sleeper();
  cg->add_process(child->pid());
  cg->apply(r);
  std::string d = dir_of(*cg, is_v2(*cg) ? "" : "cpuset");
  CHECK(read_trim(join(d, "cpuset.cpus")) == "0");
  auto status = agentrt::fs::read_file("/proc/" + std::to_string(child->pid()) + "/status");
  CHECK_THAT(status, Catch::Contains("Cpus_allowed_list:\t0\n"));
}

TEST_CASE("device rules deny a block device and allow /dev/null") {
  TestCgroup cg;
  // On devtmpfs: /dev/shm and /run may be nodev (then open fails with EACCES whatever the cgroup says).
  std::string node = "/dev/agentrt-test-sda-" + std::to_string(::getpid());
  std::string node2 = node + "-new";
  ::unlink(node.c_str());
  REQUIRE(::mknod(node.c_str(), S_IFBLK | 0600, makedev(8, 0)) == 0);
  agentrt::oci::Resources r;
  r.devices.push_back({false, "a", std::nullopt, std::nullopt, "rwm"});
  r.devices.push_back({true, "c", 1, 3, "rwm"});
  int report[2];
  REQUIRE(::pipe(report) == 0);
  // The child reports three errnos (0 = success): write to /dev/null, mknod of a block device, open of one.
  Child probe([&] {
    int e[3] = {0, 0, 0};
    int fd = ::open("/dev/null", O_WRONLY);
    if (fd < 0 || ::write(fd, "x", 1) != 1) e[0] = errno;
    if (::mknod(node2.c_str(), S_IFBLK | 0600, makedev(8, 0)) < 0) e[1] = errno;
    if (::open(node.c_str(), O_RDONLY) < 0) e[2] = errno;
    return ::write(report[1], e, sizeof e) == sizeof e ? 0 : 1;
  });
  ::close(report[1]);
  cg->add_process(probe.pid());
  cg->apply(r);
  probe.go();
  int e[3] = {-1, -1, -1};
  CHECK(::read(report[0], e, sizeof e) == sizeof e);
  ::close(report[0]);
  int status = probe.wait();
  ::unlink(node.c_str());
  ::unlink(node2.c_str());
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(e[0] == 0);
  CHECK(std::string(strerror(e[1])) == strerror(EPERM));
  CHECK(std::string(strerror(e[2])) == strerror(EPERM));
  if (!is_v2(*cg)) CHECK(read_trim(join(dir_of(*cg, "devices"), "devices.list")) == "c 1:3 rwm");
}

TEST_CASE("device rules can be replaced by a later update") {
  TestCgroup cg;
  agentrt::oci::Resources deny;
  deny.devices.push_back({false, "a", std::nullopt, std::nullopt, "rwm"});
  cg->apply(deny);
  agentrt::oci::Resources allow;
  allow.devices.push_back({false, "a", std::nullopt, std::nullopt, "rwm"});
  allow.devices.push_back({true, "c", 1, 3, "rw"});
  cg->apply(allow);
  Child probe([] {
    int fd = ::open("/dev/null", O_WRONLY);
    return fd >= 0 ? 0 : 1;
  });
  cg->add_process(probe.pid());
  probe.go();
  int status = probe.wait();
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}

TEST_CASE("kill_all SIGKILL empties a cgroup whose processes keep forking") {
  TestCgroup cg;
  agentrt::oci::Resources r;
  r.pids = agentrt::oci::PidsResources{40};  // a bound, in case killing fails
  cg->apply(r);
  Child breeder([] {
    for (;;) {
      pid_t p = ::fork();
      if (p > 0) ::waitpid(-1, nullptr, WNOHANG);
      if (p < 0) ::usleep(100);
    }
    return 0;
  });
  cg->add_process(breeder.pid());
  breeder.go();
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  CHECK(cg->pids().size() > 1);
  cg->kill_all(SIGKILL);
  CHECK(cg->pids().empty());
  int status = breeder.wait();
  CHECK(WIFSIGNALED(status));
}
