// git init, add, commit and log in a /usr-rootfs container under agent-default.
#include <catch2/catch.hpp>

#include "integration/tools/tool_check.hpp"

using namespace tools_test;

TEST_CASE("git init, commit and log work under agent-default", "[tools][git]") {
  UsrBundle bundle;
  auto r = run_tool(bundle, "git",
                    "git config --global user.name 'Agent Smith'; "
                    "git config --global user.email agent@example.com; "
                    "git init -q -b main /work/repo; cd /work/repo; "
                    "echo hello > a.txt; git add a.txt; git commit -q -m 'first commit from agent'; "
                    "echo more >> a.txt; git commit -q -a -m 'second commit'; "
                    "git log --format='%s|%an|%ae'; "
                    "echo count=$(git rev-list --count HEAD); "
                    "echo dirty=$(git status --porcelain | wc -l); "
                    "git show HEAD~1:a.txt");
  INFO(r.diagnosis);
  REQUIRE(r.out.code == 0);
  CHECK(r.out.out.rfind(kPolicyMarkers, 0) == 0);
  CHECK(tool_output(r.out) ==
        "second commit|Agent Smith|agent@example.com\n"
        "first commit from agent|Agent Smith|agent@example.com\n"
        "count=2\n"
        "dirty=0\n"
        "hello\n");
}
