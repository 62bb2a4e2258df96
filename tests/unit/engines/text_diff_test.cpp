#include "engines/text_diff.hpp"

#include <catch2/catch.hpp>

using agentrt::engines::text_diff;

TEST_CASE("text_diff prints the changed lines between the common head and tail", "[engines][diff]") {
  CHECK(text_diff("a\nb\n", "a\nb\n", "f") == "");
  CHECK(text_diff("a\nb\nc\n", "a\nB\nc\n", "f") == "--- f\n+++ f (new)\n@@ -2,1 +2,1 @@\n-b\n+B\n");
  CHECK(text_diff("a\nc\n", "a\nb\nc\n", "f") == "--- f\n+++ f (new)\n@@ -1,0 +2,1 @@\n+b\n");
  CHECK(text_diff("", "x\n", "f") == "--- f\n+++ f (new)\n@@ -0,0 +1,1 @@\n+x\n");
  CHECK(text_diff("x", "x\n", "f") ==
        "--- f\n+++ f (new)\n@@ -1,1 +1,1 @@\n-x\n\\ No newline at end of file\n+x\n");
}
