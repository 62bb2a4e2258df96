#pragma once
// A unified-style diff of two texts for `--dry-run`: the lines between the common head and the common tail,
// as one hunk. Edits of a config file are local, so one hunk stays short; no diff library is among the
// allowed dependencies.
#include <string>

namespace agentrt::engines {

// Empty when the texts are equal. `label` names the file in the --- / +++ lines.
std::string text_diff(const std::string& before, const std::string& after, const std::string& label);

}  // namespace agentrt::engines
