#include "cgroups/systemd/user_bus.hpp"

#include <catch2/catch.hpp>

using namespace agentrt::cgroups::systemd;

TEST_CASE("the user's systemd instance socket is under XDG_RUNTIME_DIR", "[systemd][user_bus]") {
  CHECK(user_instance_socket("/run/user/1000") == "/run/user/1000/systemd/private");
  CHECK(user_instance_socket(nullptr).empty());
  CHECK(user_instance_socket("").empty());
}

TEST_CASE("--systemd-cgroup without the system instance says what is missing", "[systemd][user_bus]") {
  std::string msg = user_instance_unsupported("/run/systemd/private", "Permission denied",
                                              "/run/user/1000/systemd/private", true);
  CHECK_THAT(msg, Catch::StartsWith("--systemd-cgroup as non-root needs the user's systemd instance: not "
                                    "supported"));
  CHECK_THAT(msg, Catch::Contains("/run/systemd/private is not usable by this caller: Permission denied"));
  CHECK_THAT(msg, Catch::Contains("/run/user/1000/systemd/private exists"));
  CHECK_THAT(msg, Catch::Contains("--cgroup-manager cgroupfs"));
  CHECK_THAT(user_instance_unsupported("/run/systemd/private", "Permission denied", "", false),
             Catch::Contains("$XDG_RUNTIME_DIR is not set"));
  CHECK_THAT(
      user_instance_unsupported("/run/systemd/private", "Permission denied", "/x/systemd/private", false),
      Catch::Contains("/x/systemd/private does not exist either"));
}
