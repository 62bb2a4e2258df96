#pragma once
// Runs one tool script under agent-default and, only when it fails, once more under --profile off, so a
// failure says whether the agent policy is what broke the tool.
#include <string>

#include "integration/tools/bundle.hpp"

namespace tools_test {

struct ToolRun {
  Output out;             // the agent-default run (the one the test asserts on)
  std::string diagnosis;  // empty when it passed; otherwise what the --profile off control did
};

ToolRun run_tool(UsrBundle& bundle, const std::string& tag, const std::string& script);

// Everything after the confinement lines kShowConfinement prints.
std::string tool_output(const Output& out);

}  // namespace tools_test
