#include "workspace/settings.hpp"

#include <catch2/catch.hpp>

#include "oci/support/error.hpp"
#include "unit/oci/helpers.hpp"

using namespace agentrt;
using namespace agentrt::workspace;
using oci::test::mnt;

namespace {

oci::Spec spec_with(std::vector<oci::Mount> mounts) {
  oci::Spec s;
  s.mounts = std::move(mounts);
  return s;
}

}  // namespace

TEST_CASE("workspace destinations: trimmed, de-duplicated, absolute only", "[workspace][settings]") {
  CHECK(parse_destinations(" /work, /src/ ,/work", "x") == std::vector<std::string>{"/work", "/src"});
  CHECK(parse_destinations("", "x").empty());
  CHECK_THROWS_WITH(parse_destinations("/a,,/b", "annotation run.agentrt.workspace"),
                    Catch::Contains("annotation run.agentrt.workspace: empty destination"));
  CHECK_THROWS_WITH(parse_destinations("work", "--workspace"),
                    Catch::Contains("--workspace: destination \"work\" is not an absolute path"));
}

TEST_CASE("workspace destinations: annotation and flag together", "[workspace][settings]") {
  oci::Spec s;
  s.annotations[kAnnotation] = "/a,/b";
  CHECK(requested_destinations(s, "/b,/c") == std::vector<std::string>{"/a", "/b", "/c"});
  CHECK(requested_destinations(oci::Spec{}, "").empty());
}

TEST_CASE("workspace plan: the bind at each destination, store per container", "[workspace][settings]") {
  auto s = spec_with({mnt("/proc", "proc", "proc", {}), mnt("/work", "bind", "/host/w", {"rbind", "rw"}),
                      mnt("/src/", "none", "rel", {"bind"})});
  Plan p = plan_workspace(s, {"/work", "/src"}, "/var/lib/ws", "c1", "/bundles/b");
  CHECK(p.store_dir == "/var/lib/ws/c1");
  REQUIRE(p.mounts.size() == 2);
  CHECK(p.mounts[0].mount_index == 1);
  CHECK(p.mounts[0].source == "/host/w");
  CHECK(p.mounts[0].dir == "m0");
  CHECK(p.mounts[1].mount_index == 2);
  CHECK(p.mounts[1].source == "/bundles/b/rel");
  CHECK(p.mounts[1].dir == "m1");
  CHECK(plan_workspace(s, {}, "/var/lib/ws", "c1", "").mounts.empty());
}

TEST_CASE("workspace plan: clear errors for what cannot be a workspace", "[workspace][settings]") {
  auto s = spec_with({mnt("/proc", "proc", "proc", {}), mnt("/ro", "bind", "/h", {"rbind", "ro"}),
                      mnt("/odd", "bind", "/h,x", {"bind"})});
  CHECK_THROWS_WITH(plan_workspace(s, {"/nope"}, "/s", "c", ""),
                    Catch::Contains("workspace /nope: no mount in config.json has this destination"));
  CHECK_THROWS_WITH(plan_workspace(s, {"/proc"}, "/s", "c", ""),
                    Catch::Contains("workspace /proc (mounts[0]): type \"proc\" is not a bind mount"));
  CHECK_THROWS_WITH(plan_workspace(s, {"/ro"}, "/s", "c", ""),
                    Catch::Contains("mounts[1]): a read-only bind"));
  CHECK_THROWS_WITH(plan_workspace(s, {"/odd"}, "/s", "c", ""),
                    Catch::Contains("overlay options cannot carry"));
  CHECK_THROWS_WITH(plan_workspace(s, {"/ro"}, "relative", "c", ""),
                    Catch::Contains("workspace store \"relative\": not an absolute path"));
}

TEST_CASE("workspace overlay mount keeps the bind's own options", "[workspace][settings]") {
  oci::Mount m = overlay_mount(mnt("/work", "bind", "/h", {"rbind", "nosuid", "rprivate", "nodev"}), "/s/u",
                               "/s/w", "/h");
  CHECK(m.type == "overlay");
  CHECK(m.source == "overlay");
  CHECK(m.destination == "/work");
  CHECK(m.options == std::vector<std::string>{"nosuid", "nodev", "lowerdir=/h", "upperdir=/s/u",
                                              "workdir=/s/w", "redirect_dir=off", "metacopy=off",
                                              "index=off"});
}

TEST_CASE("workspace store: flag, else the config file, else the default", "[workspace][settings]") {
  const std::string cfg = "/etc/agentrt/config.json";
  CHECK(resolve_store("/flag", std::string(R"({"workspaceStore": "/cfg"})"), cfg) == "/flag");
  CHECK(resolve_store("", std::string(R"({"workspaceStore": "/cfg"})"), cfg) == "/cfg");
  CHECK(resolve_store("", std::string(R"({"profile": "agent-dev"})"), cfg) == kDefaultStore);
  CHECK(resolve_store("", std::nullopt, cfg) == kDefaultStore);
  CHECK_THROWS_WITH(resolve_store("", std::string(R"({"workspaceStore": "rel"})"), cfg),
                    "/etc/agentrt/config.json: workspaceStore: must be an absolute path");
  CHECK_THROWS_WITH(resolve_store("", std::string("{"), cfg), "/etc/agentrt/config.json: not a JSON object");
  CHECK_THROWS_WITH(resolve_store("rel", std::nullopt, cfg), "--workspace-store rel: not an absolute path");
}
