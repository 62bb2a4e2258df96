// `spec` writes configs that the runtime accepts.
#include <catch2/catch.hpp>

#include "support.hpp"

using namespace surface_test;

TEST_CASE("spec writes a config.json that run accepts", "[spec]") {
  Runtime rt(AGENTRT_BIN, "spec", agentrt_globals(""));
  Bundle b("spec");
  auto r = execute({AGENTRT_BIN, "spec", "--bundle", b.dir().string()});
  REQUIRE(r.code == 0);
  auto cfg = json::parse(read_text(b.dir() / "config.json"), nullptr, false);
  REQUIRE(!cfg.is_discarded());
  CHECK(cfg.at("root").at("path") == "rootfs");
  // Only what a non-interactive test needs: no terminal, a command that proves it ran.
  cfg["process"]["terminal"] = false;
  cfg["process"]["args"] = {"sh", "-c", "echo spec-ok; hostname"};
  write_text(b.dir() / "config.json", cfg.dump());
  rt.track(b.id());
  auto run = rt({"run", "--bundle", b.dir().string(), b.id()});
  INFO(run.err);
  CHECK(run.code == 0);
  CHECK(run.out.rfind("spec-ok\n", 0) == 0);
  // Refuses to overwrite an existing config.json, like runc.
  CHECK(execute({AGENTRT_BIN, "spec", "--bundle", b.dir().string()}).code != 0);
}

TEST_CASE("spec --rootless adds a user namespace with mappings", "[spec]") {
  Bundle b("spec-rootless");
  auto r = execute({AGENTRT_BIN, "spec", "--rootless", "--bundle", b.dir().string()});
  REQUIRE(r.code == 0);
  auto cfg = json::parse(read_text(b.dir() / "config.json"), nullptr, false);
  REQUIRE(!cfg.is_discarded());
  bool user = false;
  for (const auto& ns : cfg.at("linux").at("namespaces")) user = user || ns.at("type") == "user";
  CHECK(user);
  CHECK(!cfg.at("linux").value("uidMappings", json::array()).empty());
  CHECK(!cfg.at("linux").value("gidMappings", json::array()).empty());
}
