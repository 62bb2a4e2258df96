// The engines' real seccomp profiles (Docker current and older, Podman, runtime-tools) under each agent
// profile in a real busybox container: a shell forks, a program starts a thread (the probe's pthread_create,
// the clone flags a mask rule inspects), and the threat probe still gets the floor's errnos. No Go binary is
// built: the probe's thread start makes the same clone call a Go runtime makes for a new M.
#include "integration_support/engine_profiles.hpp"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <map>

#include "container.hpp"
#include "integration_support/text.hpp"

using namespace agentrt::seccomp::itest;

TEST_CASE("engine profiles: a shell forks, a thread starts and the floor holds under every agent profile",
          "[container][engine-profiles]") {
  const std::string script =
      "true & wait && echo fork=OK; "
      "echo \"thread=$(/bin/probe thread 2>/dev/null)\"; "
      "echo \"ptrace=$(/bin/probe ptrace 2>/dev/null)\"; "
      "echo \"mount=$(/bin/probe mount 2>/dev/null)\"; "
      "echo \"socket_packet=$(/bin/probe socket_packet 2>/dev/null)\"; "
      "echo \"io_uring_setup=$(/bin/probe io_uring_setup 2>/dev/null)\"; "
      "echo \"clone3=$(/bin/probe clone3 2>/dev/null)\"; "
      "echo \"keyctl=$(/bin/probe keyctl 2>/dev/null)\"; "
      "echo \"getpid=$(/bin/probe getpid 2>/dev/null)\"";
  for (const auto& engine : agentrt::test::engine_profiles()) {
    for (const char* profile : {"agent-default", "agent-dev", "agent-nested"}) {
      Bundle b;
      std::string id =
          std::string("layering-") + engine.name + "-" + profile + "-" + std::to_string(getpid());
      auto r = agentrt_run(b, id, profile, script, engine.seccomp());
      INFO(engine.name << " under " << profile << ":\n" << r.out);
      REQUIRE(r.exit_code == 0);
      auto m = ::itest::key_values(r.out);
      REQUIRE(m["fork"] == "OK");
      REQUIRE(m["thread"] == "OK");
      if (std::string(profile) != "agent-nested") REQUIRE(m["mount"] == "EPERM");  // nested allows mounts
      REQUIRE(m["socket_packet"] == "EAFNOSUPPORT");
      REQUIRE(m["io_uring_setup"] == "ENOSYS");
      REQUIRE(m["clone3"] == "ENOSYS");  // libc falls back to clone
      REQUIRE(m["keyctl"] == "EPERM");
      REQUIRE(m["getpid"] == "OK");
      if (std::string(profile) != "agent-dev") REQUIRE(m["ptrace"] == "EPERM");
    }
  }
}
