#include "integration/tools/tool_check.hpp"

namespace tools_test {

namespace {

std::string describe(const Output& o) {
  std::string s = o.timed_out ? "timed out" : "exit " + std::to_string(o.code);
  return s + "\n--- stdout\n" + o.out + "--- stderr\n" + o.err;
}

}  // namespace

ToolRun run_tool(UsrBundle& bundle, const std::string& tag, const std::string& script) {
  ToolRun r;
  std::string full = std::string("set -e; ") + kShowConfinement + script;
  r.out = bundle.run(unique_id(tag), "", full);
  if (r.out.code == 0 && !r.out.timed_out) return r;
  Output off = bundle.run(unique_id(tag + "-off"), "off", full);
  r.diagnosis =
      "agent-default: " + describe(r.out) + "\ncontrol with --profile off: " + describe(off) +
      (off.code == 0 ? "\n=> the agent policy breaks this tool" : "\n=> fails without the policy too");
  return r;
}

std::string tool_output(const Output& out) {
  std::string prefix = kPolicyMarkers;
  return out.out.rfind(prefix, 0) == 0 ? out.out.substr(prefix.size()) : out.out;
}

}  // namespace tools_test
