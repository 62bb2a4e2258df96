#pragma once
// Reads an overlay upper layer: whiteouts (0:0 character devices), opaque directories
// (trusted.overlay.opaque=y), and every other entry with its facts.
#include <string>
#include <vector>

#include "workspace/diff_plan.hpp"

namespace agentrt::workspace {

// Entries in path order; the root is "" (a whiteout's children are never read: it has none).
std::vector<UpperEntry> scan_upper(const std::string& upper);

}  // namespace agentrt::workspace
