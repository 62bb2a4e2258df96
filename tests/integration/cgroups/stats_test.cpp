#include <sys/mman.h>

#include <catch2/catch.hpp>
#include <csignal>
#include <cstring>
#include <ctime>

#include "fixture.hpp"

using namespace cgtest;

TEST_CASE("stats have real numbers in runc's shape") {
  TestCgroup cg;
  agentrt::oci::Resources r;
  r.pids = agentrt::oci::PidsResources{50};
  r.memory.emplace();
  r.memory->limit = 256 << 20;
  cg->apply(r);
  int pipefd[2];
  REQUIRE(::pipe(pipefd) == 0);
  int ready = pipefd[1];
  Child worker([ready] {
    const size_t size = 16u << 20;
    char* p =
        static_cast<char*>(::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    if (p == MAP_FAILED) return 3;
    std::memset(p, 1, size);
    // Burn 200 ms of CPU time (not wall time: the host is shared).
    timespec ts{};
    volatile uint64_t x = 0;
    do {
      for (int i = 0; i < 100000; ++i) x = x + 1;
      ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    } while (ts.tv_sec == 0 && ts.tv_nsec < 200'000'000);
    if (::write(ready, "r", 1) != 1) return 4;
    for (;;) ::pause();
    return 0;
  });
  cg->add_process(worker.pid());
  worker.go();
  ::close(pipefd[1]);
  char c;
  REQUIRE(::read(pipefd[0], &c, 1) == 1);  // the worker has used its CPU time and memory
  ::close(pipefd[0]);
  auto s = cg->stats();
  INFO(s.dump(2));
  // the worker used >= 200 ms of CPU time; accounting granularity differs slightly between the clocks
  CHECK(s["cpu"]["usage"]["total"].get<uint64_t>() >= 150'000'000ULL);
  CHECK(s["cpu"]["usage"]["user"].get<uint64_t>() > 0);
  if (!is_v2(*cg)) CHECK(s["cpu"]["usage"]["percpu"].size() >= 1);
  CHECK(s["cpu"]["throttling"].is_object());
  CHECK(s["memory"]["usage"]["usage"].get<uint64_t>() >= (16u << 20));
  CHECK(s["memory"]["usage"]["limit"].get<uint64_t>() == (256u << 20));
  CHECK(s["memory"]["raw"].size() > 5);
  CHECK(s["pids"]["current"] == 1);
  CHECK(s["pids"]["limit"] == 50);
  CHECK(s.contains("blkio"));
  CHECK(s.contains("hugetlb"));
  cg->kill_all(SIGKILL);
}
