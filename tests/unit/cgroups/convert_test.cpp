#include <catch2/catch.hpp>

#include "cgroups/plan.hpp"
#include "oci/support/error.hpp"

using namespace agentrt::cgroups;

TEST_CASE("shares_to_weight: crun's mapping") {
  CHECK(shares_to_weight(0) == 0);
  CHECK(shares_to_weight(1) == 1);
  CHECK(shares_to_weight(2) == 1);
  CHECK(shares_to_weight(1024) == 100);
  CHECK(shares_to_weight(512) == 59);
  CHECK(shares_to_weight(2048) == 174);
  CHECK(shares_to_weight(100000) == 4340);
  CHECK(shares_to_weight(262144) == 10000);
  CHECK(shares_to_weight(1000000) == 10000);
  // Monotonic over the whole range.
  uint64_t prev = 0;
  for (uint64_t s = 2; s <= 262144; s += 97) {
    uint64_t w = shares_to_weight(s);
    CHECK(w >= prev);
    CHECK(w >= 1);
    CHECK(w <= 10000);
    prev = w;
  }
}

TEST_CASE("blkio weight to io.weight") {
  CHECK(blkio_weight_to_io_weight(10) == 1);
  CHECK(blkio_weight_to_io_weight(1000) == 10000);
  CHECK(blkio_weight_to_io_weight(500) == 1 + 490 * 9999 / 990);
}

TEST_CASE("v2 swap value as runc computes it") {
  CHECK(v2_swap_value(-1, 100) == "max");
  CHECK(v2_swap_value(0, 100) == "");
  CHECK(v2_swap_value(300, 100) == "200");
  CHECK(v2_swap_value(100, 100) == "0");
  CHECK_THROWS_WITH(v2_swap_value(300, 0), Catch::Contains("without memory limit"));
  CHECK_THROWS_WITH(v2_swap_value(300, -1), Catch::Contains("without memory limit"));
  CHECK_THROWS_WITH(v2_swap_value(50, 100), Catch::Contains("should be greater than or equal"));
}

TEST_CASE("device rule strings") {
  agentrt::oci::DeviceCgroupRule r;
  r.allow = true;
  r.type = "c";
  r.major = 1;
  r.minor = 3;
  r.access = "rwm";
  CHECK(device_rule_string(r) == "c 1:3 rwm");
  r.minor.reset();
  r.access = "r";
  CHECK(device_rule_string(r) == "c 1:* r");
  agentrt::oci::DeviceCgroupRule all;
  CHECK(device_rule_string(all) == "a");
  all.major = -1;
  all.access = "rw";
  CHECK(device_rule_string(all) == "a *:* rw");
}
