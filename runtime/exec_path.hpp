#pragma once
#include <string>
#include <vector>

namespace agentrt::runtime {

// Value of NAME in a KEY=VALUE list, or nullptr.
const std::string* env_value(const std::vector<std::string>& env, const std::string& name);

// Resolves args[0] the way execvp would, against PATH from `env` (a default PATH when unset), in the calling
// process's root. Throws runc's message: `exec: "foo": executable file not found in $PATH`.
std::string find_executable(const std::string& arg0, const std::vector<std::string>& env);

}  // namespace agentrt::runtime
