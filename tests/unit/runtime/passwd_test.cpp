#include "runtime/passwd.hpp"

#include <catch2/catch.hpp>

using agentrt::runtime::find_passwd_entry;

TEST_CASE("find_passwd_entry finds the entry of a uid", "[passwd]") {
  const std::string text =
      "root:x:0:0:root:/root:/bin/sh\n"
      "agent:x:1000:1000:Agent,,,:/home/agent:/bin/sh\n"
      "nohome:x:1001:1001::\n";
  auto root = find_passwd_entry(text, 0);
  REQUIRE(root);
  CHECK(root->name == "root");
  CHECK(root->home == "/root");
  auto agent = find_passwd_entry(text, 1000);
  REQUIRE(agent);
  CHECK(agent->name == "agent");
  CHECK(agent->home == "/home/agent");
  auto nohome = find_passwd_entry(text, 1001);
  REQUIRE(nohome);
  CHECK(nohome->home.empty());
}

TEST_CASE("find_passwd_entry: unknown uid, short lines and a missing final newline", "[passwd]") {
  CHECK_FALSE(find_passwd_entry("root:x:0:0:root:/root:/bin/sh\n", 1000));
  CHECK_FALSE(find_passwd_entry("broken:x:1000\n", 1000));
  CHECK_FALSE(find_passwd_entry("", 0));
  // A uid must match the whole field, not a prefix.
  CHECK_FALSE(find_passwd_entry("a:x:10:10::/a:/bin/sh", 1));
  auto last = find_passwd_entry("a:x:10:10::/a:/bin/sh", 10);
  REQUIRE(last);
  CHECK(last->home == "/a");
}
