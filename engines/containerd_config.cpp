#include "engines/containerd_config.hpp"

#include "engines/toml_lines.hpp"
#include "oci/support/error.hpp"

namespace agentrt::engines {
namespace {

constexpr const char* kNewFileVersion = "2";

int config_version(const TomlLines& doc, const std::string& file) {
  auto v = doc.value("", "version");
  if (!v) return 1;
  if (*v == "1" || *v == "2" || *v == "3") return std::stoi(*v);
  throw Error(file + ": unsupported containerd config version " + *v + " (expected 1, 2 or 3)");
}

// The CRI plugin's table: its name changed with the config version.
std::string cri_plugin_table(int version) {
  return version == 1   ? "plugins.cri"
         : version == 2 ? "plugins.\"io.containerd.grpc.v1.cri\""
                        : "plugins.\"io.containerd.cri.v1.runtime\"";
}

// Runtimes written as a key (`runtimes = {...}` or dotted) cannot be merged with a runtime table.
void refuse_inline_runtimes(const TomlLines& doc, int version, const std::string& file) {
  std::string plugin = cri_plugin_table(version);
  auto line = doc.dotted_definition(plugin + ".containerd", "runtimes");
  if (!line) line = doc.dotted_definition(plugin, "containerd.runtimes");
  if (line)
    throw Error(file + ":" + std::to_string(*line) +
                ": the CRI runtimes are defined as a key here, not as tables; " +
                "add agentrt to them by hand");
}

}  // namespace

std::string containerd_runtime_table(int version, const std::string& name) {
  return cri_plugin_table(version) + ".containerd.runtimes." + toml_key(name);
}

Edit containerd_install(const std::optional<std::string>& before, const Registration& r,
                        const std::string& file) {
  if (!r.profile.empty())
    throw Error(
        "--profile: the runc v2 shim passes no arguments to the runtime, so containerd cannot be given "
        "a profile variant; register the plain runtime and set the annotation run.agentrt.profile=" +
        r.profile + " on the container (or \"profile\" in /etc/agentrt/config.json)");
  TomlLines doc(before.value_or(""), file);
  Edit out;
  if (!doc.has_statements()) {
    doc.set("", "version", kNewFileVersion);
    out.changes.push_back(std::string("set version = ") + kNewFileVersion + " (new config)");
  }
  int version = config_version(doc, file);
  refuse_inline_runtimes(doc, version, file);
  std::string table = containerd_runtime_table(version, r.name);
  const std::string type = toml_string("io.containerd.runc.v2");
  const std::string binary = toml_string(r.binary);
  if (doc.set(table, "runtime_type", type))
    out.changes.push_back("set [" + table + "] runtime_type = " + type);
  if (doc.set(table + ".options", "BinaryName", binary))
    out.changes.push_back("set [" + table + ".options] BinaryName = " + binary);
  if (out.changes.empty()) return {before, {}};
  out.text = doc.text();
  return out;
}

Edit containerd_uninstall(const std::optional<std::string>& before, const std::string& name,
                          const std::string& file) {
  TomlLines doc(before.value_or(""), file);
  std::string table = containerd_runtime_table(config_version(doc, file), name);
  Edit out;
  if (doc.remove_table(table + ".options")) out.changes.push_back("removed [" + table + ".options]");
  if (doc.remove_table(table)) out.changes.push_back("removed [" + table + "]");
  if (out.changes.empty()) return {before, {}};
  if (doc.text() == std::string("version = ") + kNewFileVersion + "\n") {
    out.changes.push_back("removed the file: only the version install wrote is left");
    return out;
  }
  out.text = doc.text();
  return out;
}

}  // namespace agentrt::engines
