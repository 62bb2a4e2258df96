#include "policy/landlock_plan.hpp"

#include <catch2/catch.hpp>

#include "oci/support/error.hpp"

using namespace agentrt;
using namespace agentrt::policy;
namespace la = agentrt::policy::landlock_access;

namespace {

Setting explicit_setting(std::vector<std::string> v, const std::string& source) {
  return {true, true, source, std::move(v)};
}
Setting default_setting(std::vector<std::string> v) {
  return {true, false, "profile agent-locked", std::move(v)};
}

const LandlockRule* rule_for(const LandlockPlan& p, const std::string& path) {
  for (const auto& r : p.rules)
    if (r.path == path) return &r;
  return nullptr;
}

}  // namespace

TEST_CASE("landlock plan: nothing asked, nothing planned", "[landlock]") {
  CHECK_FALSE(plan_landlock(Settings{}, 7));
}

TEST_CASE("landlock plan: the rights of each ABI", "[landlock]") {
  CHECK(fs_rights_of_abi(0) == 0);
  CHECK(fs_rights_of_abi(1) == 0x1fff);
  CHECK(fs_rights_of_abi(2) == 0x3fff);
  CHECK(fs_rights_of_abi(3) == 0x7fff);
  CHECK(fs_rights_of_abi(4) == 0x7fff);
  CHECK(fs_rights_of_abi(5) == 0xffff);
  CHECK(fs_rights_of_abi(7) == 0xffff);
}

TEST_CASE("landlock plan: fs.write on ABI 7 handles every right, reads stay everywhere", "[landlock]") {
  Settings s;
  s.fs_write = explicit_setting({"/workspace"}, "--fs-write");
  auto plan = plan_landlock(s, 7);
  REQUIRE(plan);
  CHECK(plan->handled_fs == 0xffff);
  CHECK(plan->scoped == (la::scope_abstract_unix_socket | la::scope_signal));
  CHECK(plan->left_out.empty());
  REQUIRE(rule_for(*plan, "/"));
  CHECK(rule_for(*plan, "/")->access == la::read_rights);
  CHECK(rule_for(*plan, "/workspace")->access == 0xffff);
  CHECK(rule_for(*plan, "/dev/null")->access == (la::read_file | la::write_file | la::ioctl_dev));
  auto j = plan->to_json();
  CHECK(j.at("writeSetBy") == "--fs-write");
  CHECK(j.at("read") == "*");
  CHECK(j.at("scopes") == nlohmann::json{"abstract_unix_socket", "signal"});
}

TEST_CASE("landlock plan: scopes only for namespaces the container shares", "[landlock]") {
  Settings s;
  s.fs_write = explicit_setting({"/workspace"}, "--fs-write");
  auto own_both = plan_landlock(s, 7, PrivateNamespaces{true, true});
  REQUIRE(own_both);
  CHECK(own_both->scoped == 0);
  CHECK(own_both->to_json().at("notScoped").size() == 2);
  auto own_pid = plan_landlock(s, 7, PrivateNamespaces{true, false});
  CHECK(own_pid->scoped == la::scope_abstract_unix_socket);
  auto own_net = plan_landlock(s, 7, PrivateNamespaces{false, true});
  CHECK(own_net->scoped == la::scope_signal);
  CHECK(LandlockPlan::from_json(own_net->to_json()).unscoped == own_net->unscoped);
}

TEST_CASE("landlock plan: fs.read limits reads to its paths and the write paths", "[landlock]") {
  Settings s;
  s.fs_write = explicit_setting({"/w"}, "--fs-write");
  s.fs_read = explicit_setting({"/usr", "/bin"}, "annotation run.agentrt.fs.read");
  auto plan = plan_landlock(s, 7);
  REQUIRE(plan);
  CHECK_FALSE(rule_for(*plan, "/"));
  CHECK(rule_for(*plan, "/usr")->access == la::read_rights);
  CHECK(rule_for(*plan, "/w")->access == 0xffff);
  // Only fs.read: no write right handled.
  Settings r;
  r.fs_read = explicit_setting({"/usr"}, "--fs-read");
  plan = plan_landlock(r, 7);
  CHECK(plan->handled_fs == la::read_rights);
}

TEST_CASE("landlock plan: an explicit setting the kernel cannot honour is refused", "[landlock]") {
  Settings s;
  s.fs_write = explicit_setting({"/w"}, "annotation run.agentrt.fs.write");
  REQUIRE_THROWS_WITH(plan_landlock(s, 0),
                      Catch::StartsWith("annotation run.agentrt.fs.write: the kernel has no "
                                        "Landlock"));
  REQUIRE_THROWS_WITH(plan_landlock(s, 2),
                      "annotation run.agentrt.fs.write: the kernel's Landlock ABI 2 cannot stop truncate(2) "
                      "outside the write list (needs ABI 3, Linux 6.2)");
  CHECK(plan_landlock(s, 3));
  Settings r;
  r.fs_read = explicit_setting({"/usr"}, "--fs-read");
  REQUIRE_THROWS_WITH(plan_landlock(r, 0), Catch::StartsWith("--fs-read: the kernel has no Landlock"));
  CHECK(plan_landlock(r, 1));
}

TEST_CASE("landlock plan: a profile default on an old ABI records what was left out", "[landlock]") {
  Settings s;
  s.fs_write = default_setting({"/tmp"});
  auto plan = plan_landlock(s, 2);
  REQUIRE(plan);
  CHECK(plan->handled_fs == 0x3fff);
  CHECK(plan->scoped == 0);
  REQUIRE(plan->left_out.size() == 3);
  CHECK(plan->left_out[0].rfind("truncate (ABI 3)", 0) == 0);
  CHECK(plan->left_out[1].rfind("ioctl_dev (ABI 5)", 0) == 0);
  CHECK(plan->left_out[2].rfind("scopes (ABI 6)", 0) == 0);
  auto none = plan_landlock(s, 0);
  REQUIRE(none);
  CHECK(none->handled_fs == 0);
  CHECK(none->left_out == std::vector<std::string>{"everything: the kernel has no Landlock"});
}

TEST_CASE("landlock plan: the record round-trips", "[landlock]") {
  Settings s;
  s.fs_write = explicit_setting({"/w"}, "--fs-write");
  s.fs_read = explicit_setting({"/usr"}, "--fs-read");
  for (int abi : {3, 5, 7}) {
    auto plan = *plan_landlock(s, abi);
    auto back = LandlockPlan::from_json(plan.to_json());
    CHECK(back.to_json() == plan.to_json());
    CHECK(back.handled_fs == plan.handled_fs);
    CHECK(back.scoped == plan.scoped);
    REQUIRE(back.rules.size() == plan.rules.size());
    for (size_t i = 0; i < plan.rules.size(); ++i) CHECK(back.rules[i].access == plan.rules[i].access);
  }
  REQUIRE_THROWS_WITH(LandlockPlan::from_json(nlohmann::json::object()),
                      Catch::StartsWith("filesystem policy record: "));
}
