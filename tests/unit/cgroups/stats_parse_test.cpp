#include <catch2/catch.hpp>

#include "cgroups/stats.hpp"

using namespace agentrt::cgroups;

TEST_CASE("flat keyed files") {
  auto m = parse_flat_keyed("usage_usec 1234\nuser_usec 1000\nsystem_usec 234\nhigh max\n");
  CHECK(m["usage_usec"] == 1234);
  CHECK(m["system_usec"] == 234);
  CHECK(m["high"] == UINT64_MAX);
  CHECK(parse_number("42\n") == 42);
  CHECK(parse_number("max\n") == UINT64_MAX);
  CHECK(parse_number("") == 0);
}

TEST_CASE("v1 blkio recursive files") {
  auto j = parse_blkio_v1("8:0 Read 4096\n8:0 Write 8192\n8:0 Sync 0\nTotal 12288\n");
  REQUIRE(j.size() == 3);
  CHECK(j[0] == nlohmann::json({{"major", 8}, {"minor", 0}, {"op", "Read"}, {"value", 4096}}));
  CHECK(j[1]["op"] == "Write");
}

TEST_CASE("v2 io.stat") {
  auto j = parse_io_stat(
      "8:0 rbytes=100 wbytes=200 rios=3 wios=4 dbytes=0 dios=0\n254:1 rbytes=5 wbytes=0 rios=1 wios=0\n");
  REQUIRE(j["ioServiceBytesRecursive"].size() == 4);
  CHECK(j["ioServiceBytesRecursive"][1] ==
        nlohmann::json({{"major", 8}, {"minor", 0}, {"op", "Write"}, {"value", 200}}));
  CHECK(j["ioServicedRecursive"][2]["major"] == 254);
  CHECK(parse_io_stat("").empty());
}
