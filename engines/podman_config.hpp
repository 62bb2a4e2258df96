#pragma once
// Podman's containers.conf: `name = ["/path"]` in the [engine.runtimes] table.
#include <optional>
#include <string>

#include "engines/registration.hpp"

namespace agentrt::engines {

// containers.conf (Podman 4.3) lists only paths per runtime: there is no place for per-runtime arguments,
// so a --profile registration is refused with the ways Podman can pass the profile instead.
Edit podman_install(const std::optional<std::string>& before, const Registration& r, const std::string& file);
Edit podman_uninstall(const std::optional<std::string>& before, const std::string& name,
                      const std::string& file);

}  // namespace agentrt::engines
