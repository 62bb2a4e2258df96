// A sh pipeline (seq | grep | sort | uniq | wc) under agent-default.
#include <catch2/catch.hpp>
#include <string>

#include "integration/tools/tool_check.hpp"

using namespace tools_test;

TEST_CASE("a sh pipeline gives the right count under agent-default", "[tools][sh]") {
  int expected = 0;
  for (int i = 1; i <= 5000; ++i) expected += std::to_string(i).find('7') != std::string::npos;

  UsrBundle bundle;
  auto r = run_tool(bundle, "sh",
                    "seq 1 5000 | grep 7 | sort -r | uniq | wc -l; "
                    "seq 1 5000 | tee /tmp/all | tail -n 1; wc -l < /tmp/all");
  INFO(r.diagnosis);
  REQUIRE(r.out.code == 0);
  CHECK(r.out.out.rfind(kPolicyMarkers, 0) == 0);
  CHECK(tool_output(r.out) == std::to_string(expected) + "\n5000\n5000\n");
}
