#pragma once
// What install and uninstall share: the flags, reading the engine's config and applying (or, with
// --dry-run, showing) the planned edit.
#include <optional>
#include <string>

#include "engines/registration.hpp"
#include "runtime/cli/command.hpp"

namespace agentrt::cli {

struct EngineTarget {
  engines::Engine engine;
  std::string config_path;  // symlinks resolved
  std::optional<std::string> before;
};

// Reads the positional engine name and --config (default: the engine's usual path).
EngineTarget engine_target(const Parsed& p, const char* cmd, const std::string& config_flag);

// Prints what changed (or that nothing did), writes or removes the file unless dry_run (then prints the
// diff instead), and the command to reload the engine.
int apply_engine_edit(const EngineTarget& t, const engines::Edit& edit, bool dry_run);

}  // namespace agentrt::cli
