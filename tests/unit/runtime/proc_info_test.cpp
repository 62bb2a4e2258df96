#include "runtime/proc_info.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <thread>

using agentrt::runtime::ProcStat;
using agentrt::runtime::read_proc_stat;

TEST_CASE("read_proc_stat of the caller reads a running state and a start time") {
  auto st = read_proc_stat(::getpid());
  REQUIRE(st);
  CHECK(st->state == 'R');
  CHECK(st->start_time > 0);
}

TEST_CASE("read_proc_stat of processes that exit and are reaped meanwhile says gone, never throws") {
  // While a process is being reaped, opening or reading /proc/<pid>/stat fails with ESRCH rather than ENOENT;
  // delete -f of a paused container on cgroup v2 hit that window.
  for (int i = 0; i < 300; ++i) {
    pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) ::_exit(0);
    std::thread reaper([child] { ::waitpid(child, nullptr, 0); });
    std::optional<ProcStat> st;
    auto read_until_gone = [&] {
      do {
        st = read_proc_stat(child);
      } while (st);
    };
    CHECK_NOTHROW(read_until_gone());
    reaper.join();
  }
}
