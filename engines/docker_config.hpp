#pragma once
// Docker's daemon.json: the "runtimes" object ({"name": {"path": ..., "runtimeArgs": [...]}}).
#include <optional>
#include <string>

#include "engines/registration.hpp"

namespace agentrt::engines {

// Keys keep their order (ordered_json) and the file's indentation is reused, so a file that was already in
// that canonical form gets back its exact bytes after install + uninstall.
Edit docker_install(const std::optional<std::string>& before, const Registration& r, const std::string& file);
Edit docker_uninstall(const std::optional<std::string>& before, const std::string& name,
                      const std::string& file);

}  // namespace agentrt::engines
