// agentrt pause/resume freeze and thaw every process of the container.
#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "integration/cgroup_cli/support.hpp"

using namespace cgroup_cli_test;

namespace {

// The counter the container writes atomically (write then rename); -1 before it exists.
long long counter(const Bundle& b) {
  std::string t = trim(read_text(b.ctl() / "count"));
  return t.empty() ? -1 : std::stoll(t);
}

void sleep_s(double s) {
  std::this_thread::sleep_for(std::chrono::duration<double>(s));
}

}  // namespace

TEST_CASE("pause stops a counter and resume lets it advance again", "[pause]") {
  Fixture fx;
  auto& b = fx.bundle("pause").script(
      "i=0; while true; do i=$((i+1)); echo $i > /ctl/count.tmp; mv /ctl/count.tmp /ctl/count; sleep 0.05; "
      "done");
  int pid = fx.run_detached(b);
  REQUIRE(eventually([&] { return counter(b) > 3; }, 10));

  Result p = fx.agentrt({"pause", b.id()});
  INFO(p.all());
  REQUIRE(p.code == 0);
  CHECK(fx.status(b.id()) == "paused");
  CHECK(ProcessCgroup(pid).frozen());
  long long frozen = counter(b);
  sleep_s(0.8);
  CHECK(counter(b) == frozen);

  Result r = fx.agentrt({"resume", b.id()});
  INFO(r.all());
  REQUIRE(r.code == 0);
  CHECK(fx.status(b.id()) == "running");
  CHECK(eventually([&] { return counter(b) > frozen + 3; }, 5));
}
