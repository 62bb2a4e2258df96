#include "runtime/cli/engine_edit.hpp"

#include <cstdio>

#include "engines/config_file.hpp"
#include "engines/text_diff.hpp"

namespace agentrt::cli {

EngineTarget engine_target(const Parsed& p, const char* cmd, const std::string& config_flag) {
  require_args(p, cmd, 1);
  engines::Engine e = engines::engine_from_name(p.positionals[0]);
  std::string path = config_flag.empty() ? engines::default_config_path(e) : config_flag;
  path = engines::resolve_config_path(path);
  return {e, path, engines::read_config(path)};
}

int apply_engine_edit(const EngineTarget& t, const engines::Edit& edit, bool dry_run) {
  const char* engine = engines::to_string(t.engine);
  if (edit.changes.empty()) {
    std::printf("%s: %s: nothing to change\n", engine, t.config_path.c_str());
    return 0;
  }
  for (const auto& c : edit.changes) std::printf("%s: %s: %s\n", engine, t.config_path.c_str(), c.c_str());
  if (dry_run) {
    std::fputs(engines::text_diff(t.before.value_or(""), edit.text.value_or(""), t.config_path).c_str(),
               stdout);
    std::printf("dry run: %s not written\n", t.config_path.c_str());
    return 0;
  }
  if (edit.text)
    engines::replace_config(t.config_path, *edit.text);
  else
    engines::remove_config(t.config_path);
  std::printf("reload: %s\n", engines::reload_hint(t.engine).c_str());
  return 0;
}

}  // namespace agentrt::cli
