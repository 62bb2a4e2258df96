#pragma once
namespace agentrt::runtime {
// "agentrt version X\nspec: 1.2.0\n..." as `--version` prints it.
const char* version_text();
}  // namespace agentrt::runtime
