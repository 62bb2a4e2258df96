// How JSON numbers are checked against the field types: sign, range, integer-ness.
#include <catch2/catch.hpp>

#include "helpers.hpp"

using namespace agentrt::oci;
using namespace agentrt::oci::test;
using nlohmann::json;

TEST_CASE("integer fields reject other JSON types", "[parse][numbers]") {
  const std::string path = "/linux/resources/memory/limit";
  CHECK(spec_error(set(minimal(), path, "1G")) ==
        "linux.resources.memory.limit: expected integer, got string");
  CHECK(spec_error(set(minimal(), path, true)) ==
        "linux.resources.memory.limit: expected integer, got boolean");
  CHECK(spec_error(set(minimal(), path, json::array())) ==
        "linux.resources.memory.limit: expected integer, got array");
  CHECK(spec_error(set(minimal(), path, json::object())) ==
        "linux.resources.memory.limit: expected integer, got object");
  CHECK(spec_error(set(minimal(), path, 1.5)) ==
        "linux.resources.memory.limit: expected integer, got number 1.5");
  // 1.0 is a floating point literal in JSON; Go's decoder rejects it for int64 too.
  CHECK(spec_error(json::parse(
            R"({"ociVersion":"1","root":{"path":"r"},"linux":{"resources":{"memory":{"limit":1.0}}}})")) ==
        "linux.resources.memory.limit: expected integer, got number 1.0");
}

TEST_CASE("signed fields take the full int64 range", "[parse][numbers]") {
  // (limit, swap and reservation also refuse values below -1: kernel_limits_test.cpp.)
  json j = json::parse(R"({"ociVersion":"1","root":{"path":"r"},"linux":{"resources":{"memory":
      {"limit":9223372036854775807,"kernel":-9223372036854775808}}}})");
  Spec s = parse_spec(j);
  CHECK(s.linux->resources->memory->limit == INT64_MAX);
  CHECK(s.linux->resources->memory->kernel == INT64_MIN);
  json too_big = json::parse(R"({"ociVersion":"1","root":{"path":"r"},"linux":{"resources":{"memory":
      {"limit":9223372036854775808}}}})");
  CHECK(spec_error(too_big) ==
        "linux.resources.memory.limit: expected integer in range [-9223372036854775808, "
        "9223372036854775807], got "
        "9223372036854775808");
}

TEST_CASE("unsigned fields reject negatives and overflow", "[parse][numbers]") {
  CHECK(spec_error(set(minimal(), "/linux/resources/cpu/shares", -1)) ==
        "linux.resources.cpu.shares: expected non-negative integer, got -1");
  Spec s = parse_spec(json::parse(R"({"ociVersion":"1","root":{"path":"r"},"linux":{"resources":{"cpu":
      {"shares":18446744073709551615}}}})"));
  CHECK(s.linux->resources->cpu->shares == UINT64_MAX);
  CHECK(spec_error(set(minimal(), "/linux/resources/network/classID", 4294967296)) ==
        "linux.resources.network.classID: expected integer in range [0, 4294967295], got 4294967296");
  CHECK(spec_error(set(minimal(), "/linux/resources/blockIO/leafWeight", -5)) ==
        "linux.resources.blockIO.leafWeight: expected non-negative integer, got -5");
}

TEST_CASE("int fields are range-checked", "[parse][numbers]") {
  json p = with_process();
  CHECK(spec_error(set(p, "/process/scheduler", {{"policy", "SCHED_FIFO"}, {"priority", 2147483648}})) ==
        "process.scheduler.priority: expected integer in range [-2147483648, 2147483647], got 2147483648");
}
