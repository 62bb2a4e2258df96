#include "engines/registration.hpp"
#include "runtime/cli/command.hpp"
#include "runtime/cli/engine_edit.hpp"

namespace agentrt::cli {

int cmd_uninstall(const runtime::Context&, const Args& args) {
  std::string name = "agentrt", config;
  bool dry_run = false;
  po::options_description d("uninstall");
  d.add_options()("name", po::value(&name), "runtime name to remove (default agentrt)")(
      "config", po::value(&config), "the engine's config file (default: its usual path)")(
      "dry-run", po::bool_switch(&dry_run), "print the change, write nothing");
  Parsed p = parse(args, d);
  EngineTarget t = engine_target(p, "uninstall", config);
  return apply_engine_edit(t, engines::plan_uninstall(t.engine, t.before, name, t.config_path), dry_run);
}

}  // namespace agentrt::cli
