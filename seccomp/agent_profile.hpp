#pragma once
// Agent profiles (seccomp/profiles/*.json, embedded in the binary): a floor of deny rules plus the capability
// and pids policy. A floor rule either denies a syscall outright or splits its argument space into allowed
// and denied regions that do not overlap, so layering never depends on libseccomp's rule order.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "oci/spec.hpp"

namespace agentrt::seccomp {

struct Region {
  std::vector<oci::SeccompArg> args;  // all must hold; at most one per index
  bool allow = false;
};

struct FloorRule {
  std::string syscall;
  oci::SeccompAction action = oci::SeccompAction::errno_ret;  // for the denied part
  std::optional<uint32_t> errno_ret;
  std::vector<Region> regions;  // empty: the whole syscall is denied
};

struct AgentProfile {
  std::string name;
  std::vector<FloorRule> floor;
  std::vector<std::string> drop_capabilities;
  int64_t pids_limit = 0;
};

// The generated lookup of profiles/<name>.json; nullptr when there is no such file.
const char* embedded_profile(const std::string& name);

// Throws Error naming the profile and the JSON path on malformed data.
AgentProfile load_agent_profile(const std::string& name);
AgentProfile parse_agent_profile(const std::string& name, const std::string& json_text);

// The permissive allowlist (profiles/base.json) used as the request when the spec has no filter.
oci::Seccomp base_filter();
oci::Seccomp parse_seccomp_json(const std::string& json_text, const std::string& what);

// Single-comparison conditions on argument `index` that together cover every value except `points`,
// without overlapping each other. width 32 compares only the low 32 bits (for int arguments the kernel
// truncates), width 64 the whole register.
std::vector<oci::SeccompArg> complement(uint32_t index, std::vector<uint64_t> points, int width);

}  // namespace agentrt::seccomp
