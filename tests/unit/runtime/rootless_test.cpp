#include "runtime/rootless.hpp"

#include <catch2/catch.hpp>

#include "oci/support/error.hpp"
#include "runtime/id_maps.hpp"
#include "runtime/rootless_cgroup.hpp"

using namespace agentrt::runtime;
using agentrt::Error;
using agentrt::cgroups::Layout;

namespace {

const char* kInitialUidMap = "         0          0 4294967295\n";
const char* kPodmanUidMap = "         0       1000          1\n         1     100000      65536\n";

Rootless user(uid_t uid, gid_t gid) {
  return decide_rootless(std::nullopt, uid, gid, kInitialUidMap);
}

}  // namespace

TEST_CASE("--rootless accepts runc's values and names the flag for others", "[rootless]") {
  CHECK_FALSE(parse_rootless_flag("").has_value());
  CHECK_FALSE(parse_rootless_flag("auto").has_value());
  for (const char* t : {"true", "1", "t", "TRUE", "True"})
    CHECK(parse_rootless_flag(t) == std::optional(true));
  for (const char* f : {"false", "0", "f", "FALSE"}) CHECK(parse_rootless_flag(f) == std::optional(false));
  CHECK_THROWS_WITH(parse_rootless_flag("yes"), Catch::Contains("--rootless") && Catch::Contains("yes"));
}

TEST_CASE("rootless: euid != 0, or uid 0 mapped to a non-root host uid", "[rootless]") {
  CHECK_FALSE(user(0, 0).rootless);
  CHECK_FALSE(user(0, 0).in_user_ns);
  CHECK(user(1000, 1000).rootless);
  Rootless podman = decide_rootless(std::nullopt, 0, 0, kPodmanUidMap);
  CHECK(podman.rootless);
  CHECK(podman.in_user_ns);
  CHECK(host_uid_of_root(kPodmanUidMap) == std::optional<uint64_t>(1000));
  CHECK_FALSE(host_uid_of_root("1 1000 5\n").has_value());
  // The flag overrides detection both ways.
  CHECK(decide_rootless(true, 0, 0, kInitialUidMap).rootless);
  CHECK_FALSE(decide_rootless(false, 1000, 1000, kInitialUidMap).rootless);
}

TEST_CASE("state root: $XDG_RUNTIME_DIR/agentrt when unprivileged, runc's rule for root", "[rootless]") {
  auto unpriv = default_state_root(user(1000, 1000), "/run/user/1000", "dev");
  CHECK(unpriv.path == "/run/user/1000/agentrt");
  CHECK(unpriv.from_xdg);
  // Real root ignores $XDG_RUNTIME_DIR (/run/user/0), as runc does.
  CHECK(default_state_root(user(0, 0), "/run/user/0", "root").path == "/run/agentrt");
  CHECK_FALSE(default_state_root(user(0, 0), nullptr, nullptr).from_xdg);
  // Root in a user namespace (rootless Podman) uses it unless $USER is root.
  Rootless podman = decide_rootless(std::nullopt, 0, 0, kPodmanUidMap);
  CHECK(default_state_root(podman, "/run/user/1000", "dev").path == "/run/user/1000/agentrt");
  CHECK(default_state_root(podman, "/run/user/1000", "root").path == "/run/agentrt");
  CHECK_THROWS_WITH(
      default_state_root(user(1000, 1000), nullptr, "dev"),
      Catch::Contains("XDG_RUNTIME_DIR") && Catch::Contains("--root") && Catch::Contains("1000"));
  CHECK_THROWS(default_state_root(user(1000, 1000), "", "dev"));
}

TEST_CASE("id maps: root writes directly; an unprivileged caller only its own id, else the tools",
          "[rootless]") {
  agentrt::oci::Linux own;
  own.uid_mappings = {{0, 1000, 1}};
  own.gid_mappings = {{0, 1000, 1}};
  IdMapPlan p = plan_id_maps(user(1000, 1000), own);
  CHECK(p.uid == MapMethod::direct);
  CHECK(p.gid == MapMethod::direct);
  CHECK(p.deny_setgroups);

  agentrt::oci::Linux ranges;
  ranges.uid_mappings = {{0, 1000, 1}, {1, 300000, 65536}};
  ranges.gid_mappings = {{0, 1000, 1}, {1, 300000, 65536}};
  p = plan_id_maps(user(1000, 1000), ranges);
  CHECK(p.uid == MapMethod::tool);
  CHECK(p.gid == MapMethod::tool);
  CHECK_FALSE(p.deny_setgroups);  // newgidmap leaves setgroups allowed, so the container keeps its groups

  agentrt::oci::Linux other;  // one id, but not the caller's
  other.uid_mappings = {{0, 1001, 1}};
  other.gid_mappings = {{0, 1000, 1}};
  p = plan_id_maps(user(1000, 1000), other);
  CHECK(p.uid == MapMethod::tool);
  CHECK(p.gid == MapMethod::direct);

  p = plan_id_maps(user(0, 0), ranges);
  CHECK(p.uid == MapMethod::direct);
  CHECK(p.gid == MapMethod::direct);
  CHECK_FALSE(p.deny_setgroups);

  CHECK(id_map_text(ranges.uid_mappings) == "0 1000 1\n1 300000 65536\n");
  CHECK(id_map_tool_args(ranges.uid_mappings) ==
        std::vector<std::string>{"0", "1000", "1", "1", "300000", "65536"});
}

TEST_CASE("cgroup decision: skip without limits, error naming the limit, use when delegated", "[rootless]") {
  agentrt::oci::Resources r;
  r.pids = agentrt::oci::PidsResources{64};
  auto limits = requested_limits(r, Layout::hybrid);
  REQUIRE(limits.size() == 1);
  CHECK(limits[0] == "linux.resources.pids.limit");
  // Device rules alone ask no limit.
  agentrt::oci::Resources devices_only;
  devices_only.devices.push_back({});
  CHECK(requested_limits(devices_only, Layout::unified).empty());
  CHECK(requested_limits(std::nullopt, Layout::unified).empty());

  CHECK(decide_cgroup({false, false, ""}, limits).use);
  CHECK(decide_cgroup({false, false, "not delegated"}, limits).use);  // root never skips
  CHECK(decide_cgroup({true, false, ""}, limits).use);                // delegated subtree

  CgroupDecision skip = decide_cgroup({true, false, "cgroups are hybrid"}, {});
  CHECK_FALSE(skip.use);
  CHECK_THAT(skip.reason, Catch::Contains("hybrid"));
  CHECK_THROWS_WITH(decide_cgroup({true, false, "cgroups are hybrid"}, limits),
                    Catch::StartsWith("linux.resources.pids.limit: cannot set") && Catch::Contains("hybrid"));
  CHECK_FALSE(decide_cgroup({false, true, ""}, {}).use);
  CHECK_THROWS_WITH(decide_cgroup({false, true, ""}, limits), Catch::Contains("--cgroup-manager disabled"));
  CHECK_THAT(delegation_problem(Layout::hybrid, "/sys/fs/cgroup/unified/x"), Catch::Contains("hybrid"));
}
