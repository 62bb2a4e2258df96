#pragma once
// What `agentrt install` registers with an engine and where, and what an edit of a config file produced.
#include <optional>
#include <string>
#include <vector>

namespace agentrt::engines {

enum class Engine { docker, podman, containerd };

// "docker", "podman" or "containerd"; anything else is an Error naming the argument.
Engine engine_from_name(const std::string& name);
const char* to_string(Engine e);
// /etc/docker/daemon.json, /etc/containers/containers.conf, /etc/containerd/config.toml.
const char* default_config_path(Engine e);
// The command that makes the running engine see the change.
std::string reload_hint(Engine e);

struct Registration {
  std::string name;     // the runtime name the engine knows it by: agentrt, agentrt-dev, ...
  std::string binary;   // absolute path of the agentrt binary
  std::string profile;  // empty: the plain runtime; else passed as --profile=<profile>
};

// The runtime name install uses: --name if given, else agentrt or agentrt-<profile>.
std::string registration_name(const std::string& name_flag, const std::string& profile);

// The result of editing one config file's text. `text` nullopt means the file should not exist (uninstall
// removed the last thing in a file install had created).
struct Edit {
  std::optional<std::string> text;
  std::vector<std::string> changes;  // human-readable, one line each; empty when nothing changed
};

// `file` names the file in parse errors ("<file>:<line>: ..."); `before` is nullopt when it does not exist.
Edit plan_install(Engine e, const std::optional<std::string>& before, const Registration& r,
                  const std::string& file);
Edit plan_uninstall(Engine e, const std::optional<std::string>& before, const std::string& name,
                    const std::string& file);

}  // namespace agentrt::engines
