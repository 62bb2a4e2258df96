#include "engines/podman_config.hpp"

#include "engines/toml_lines.hpp"
#include "oci/support/error.hpp"

namespace agentrt::engines {
namespace {

constexpr const char* kTable = "engine.runtimes";

// Runtimes written as `runtimes = {...}` in [engine] (or as dotted keys) cannot be merged with a table.
void refuse_inline_runtimes(const TomlLines& doc, const std::string& file) {
  auto line = doc.dotted_definition("engine", "runtimes");
  if (!line) line = doc.dotted_definition("", kTable);
  if (line)
    throw Error(
        file + ":" + std::to_string(*line) +
        ": engine.runtimes is defined as a key here, not as an [engine.runtimes] table; add agentrt to it "
        "by hand");
}

}  // namespace

Edit podman_install(const std::optional<std::string>& before, const Registration& r,
                    const std::string& file) {
  if (!r.profile.empty())
    throw Error(
        "--profile: containers.conf has no per-runtime arguments, so podman cannot be given a profile "
        "variant; register the plain runtime and choose the profile per container with "
        "`podman --runtime agentrt --runtime-flag profile=" +
        r.profile + " run ...` or `podman run --annotation run.agentrt.profile=" + r.profile + " ...`");
  TomlLines doc(before.value_or(""), file);
  refuse_inline_runtimes(doc, file);
  std::string value = "[" + toml_string(r.binary) + "]";
  auto old = doc.value(kTable, toml_key(r.name));
  if (!doc.set(kTable, toml_key(r.name), value)) return {before, {}};
  std::string change = old ? "replaced [engine.runtimes] " + r.name + " = " + *old + " with " + value
                           : "added [engine.runtimes] " + r.name + " = " + value;
  return {doc.text(), {change}};
}

Edit podman_uninstall(const std::optional<std::string>& before, const std::string& name,
                      const std::string& file) {
  TomlLines doc(before.value_or(""), file);
  auto old = doc.value(kTable, toml_key(name));
  if (!old) return {before, {}};
  doc.remove_key(kTable, toml_key(name));
  Edit out;
  out.changes.push_back("removed [engine.runtimes] " + name + " = " + *old);
  if (doc.key_count(kTable) == 0 && !doc.table_has_comments(kTable)) {
    doc.remove_table(kTable);
    out.changes.push_back("removed the [engine.runtimes] table, empty now");
  }
  if (!doc.has_statements() && doc.text().find('#') == std::string::npos) {
    out.changes.push_back("removed the file: nothing is left in it");
    return out;
  }
  out.text = doc.text();
  return out;
}

}  // namespace agentrt::engines
