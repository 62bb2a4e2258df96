#include <unistd.h>

#include <climits>

#include "engines/registration.hpp"
#include "oci/support/error.hpp"
#include "runtime/cli/command.hpp"
#include "runtime/cli/engine_edit.hpp"

namespace agentrt::cli {
namespace {

// The engine runs the binary that ran this command, wherever the user installed it.
std::string own_binary() {
  char buf[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n < 0) throw sys_error("readlink /proc/self/exe");
  return std::string(buf, static_cast<size_t>(n));
}

}  // namespace

int cmd_install(const runtime::Context&, const Args& args) {
  std::string name, profile, config;
  bool dry_run = false;
  po::options_description d("install");
  d.add_options()("name", po::value(&name), "runtime name (default agentrt, or agentrt-<profile>)")(
      "profile", po::value(&profile), "register a variant run with --profile=<profile>")(
      "config", po::value(&config), "the engine's config file (default: its usual path)")(
      "dry-run", po::bool_switch(&dry_run), "print the change, write nothing");
  Parsed p = parse(args, d);
  EngineTarget t = engine_target(p, "install", config);
  engines::Registration r{engines::registration_name(name, profile), own_binary(), profile};
  return apply_engine_edit(t, engines::plan_install(t.engine, t.before, r, t.config_path), dry_run);
}

}  // namespace agentrt::cli
