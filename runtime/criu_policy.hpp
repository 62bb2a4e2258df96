#pragma once
// The confinement of a container's init that a restore must give back whole: criu restores the seccomp
// filters, no_new_privs and capabilities it dumped, and this is how agentrt checks that it did. The record is
// taken from /proc/<pid>/status at checkpoint, kept in the image directory, and compared with the restored
// init; any loss fails the restore (never a restored container with less policy than it had). Pure.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace agentrt::runtime::criu {

inline const char* kPolicyFile = "agentrt-policy.json";

struct ProcessPolicy {
  int seccomp_mode = 0;     // Seccomp: 0 off, 1 strict, 2 filter
  int seccomp_filters = 0;  // Seccomp_filters: how many filters are stacked
  bool no_new_privs = false;
  unsigned long long cap_bounding = 0, cap_effective = 0, cap_permitted = 0;
};

// Reads the fields from the text of /proc/<pid>/status; throws an Error naming a missing field.
ProcessPolicy parse_process_policy(const std::string& status_text);
nlohmann::json to_json(const ProcessPolicy& p);
ProcessPolicy policy_from_json(const nlohmann::json& j);

// What `after` has less of than `before`: one sentence per loss ("seccomp filters: 2 at checkpoint, 0
// restored"); empty when after confines at least as much.
std::vector<std::string> policy_losses(const ProcessPolicy& before, const ProcessPolicy& after);

}  // namespace agentrt::runtime::criu
