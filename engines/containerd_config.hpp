#pragma once
// containerd's config.toml: a runtime of the CRI plugin run by the runc v2 shim with BinaryName = agentrt.
#include <optional>
#include <string>

#include "engines/registration.hpp"

namespace agentrt::engines {

// The CRI plugin's table for the runtime `name`, for the config's `version` (1, 2 or 3; a missing
// version key means 1 in a file that has content).
std::string containerd_runtime_table(int version, const std::string& name);

// The runc v2 shim's options carry no runtime arguments, so a --profile registration is refused with the
// ways containerd can pass the profile instead. A new file starts with `version = 2`.
Edit containerd_install(const std::optional<std::string>& before, const Registration& r,
                        const std::string& file);
Edit containerd_uninstall(const std::optional<std::string>& before, const std::string& name,
                          const std::string& file);

}  // namespace agentrt::engines
