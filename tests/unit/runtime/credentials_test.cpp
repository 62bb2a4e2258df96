#include "runtime/credentials.hpp"

#include <catch2/catch.hpp>

#include "oci/support/error.hpp"

using namespace agentrt::runtime;

TEST_CASE("supplementary groups follow runc's rule for a runtime without root", "[credentials]") {
  agentrt::oci::User user;
  SECTION("as root: exactly additionalGids, also none") {
    GroupsPlan none = plan_groups(user, false);
    CHECK(none.call_setgroups);
    CHECK(none.groups.empty());
    user.additional_gids = {10, 20};
    GroupsPlan some = plan_groups(user, false);
    CHECK(some.call_setgroups);
    CHECK(some.groups == std::vector<gid_t>{10, 20});
  }
  SECTION("without root: the inherited groups stay") {
    CHECK_FALSE(plan_groups(user, true).call_setgroups);
  }
  SECTION("without root: additionalGids are refused by name") {
    user.additional_gids = {1};
    CHECK_THROWS_WITH(plan_groups(user, true),
                      Catch::Contains("process.user.additionalGids") && Catch::Contains("rootless"));
  }
}
