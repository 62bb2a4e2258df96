#include "engines/registration.hpp"

#include "engines/containerd_config.hpp"
#include "engines/docker_config.hpp"
#include "engines/podman_config.hpp"
#include "oci/support/error.hpp"

namespace agentrt::engines {

Engine engine_from_name(const std::string& name) {
  if (name == "docker") return Engine::docker;
  if (name == "podman") return Engine::podman;
  if (name == "containerd") return Engine::containerd;
  throw Error("engine: unknown engine \"" + name + "\" (expected docker, podman or containerd)");
}

const char* to_string(Engine e) {
  switch (e) {
    case Engine::docker:
      return "docker";
    case Engine::podman:
      return "podman";
    case Engine::containerd:
      return "containerd";
  }
  return "?";
}

const char* default_config_path(Engine e) {
  switch (e) {
    case Engine::docker:
      return "/etc/docker/daemon.json";
    case Engine::podman:
      return "/etc/containers/containers.conf";
    case Engine::containerd:
      return "/etc/containerd/config.toml";
  }
  return "";
}

std::string reload_hint(Engine e) {
  switch (e) {
    case Engine::docker:
      // dockerd reloads its runtimes on SIGHUP; a restart also does.
      return "systemctl restart docker (without systemd: kill -HUP $(pidof dockerd))";
    case Engine::podman:
      return "nothing to reload: podman reads containers.conf on every command";
    case Engine::containerd:
      return "systemctl restart containerd (without systemd: restart containerd as your init system does)";
  }
  return "";
}

std::string registration_name(const std::string& name_flag, const std::string& profile) {
  if (!name_flag.empty()) return name_flag;
  return profile.empty() ? "agentrt" : "agentrt-" + profile;
}

Edit plan_install(Engine e, const std::optional<std::string>& before, const Registration& r,
                  const std::string& file) {
  if (r.name.empty()) throw Error("--name: the runtime name must not be empty");
  switch (e) {
    case Engine::docker:
      return docker_install(before, r, file);
    case Engine::podman:
      return podman_install(before, r, file);
    case Engine::containerd:
      return containerd_install(before, r, file);
  }
  throw Error("engine: unknown");
}

Edit plan_uninstall(Engine e, const std::optional<std::string>& before, const std::string& name,
                    const std::string& file) {
  if (name.empty()) throw Error("--name: the runtime name must not be empty");
  switch (e) {
    case Engine::docker:
      return docker_uninstall(before, name, file);
    case Engine::podman:
      return podman_uninstall(before, name, file);
    case Engine::containerd:
      return containerd_uninstall(before, name, file);
  }
  throw Error("engine: unknown");
}

}  // namespace agentrt::engines
