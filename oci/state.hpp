#pragma once
// The runtime-spec state document (`agentrt state ID`, hooks' stdin).
#include <sys/types.h>

#include <map>
#include <nlohmann/json.hpp>
#include <string>

namespace agentrt::oci {

enum class Status { creating, created, running, paused, stopped };
const char* to_string(Status s);

struct State {
  std::string oci_version = "1.2.0";
  std::string id;
  Status status = Status::creating;
  pid_t pid = 0;  // 0 when stopped
  std::string bundle;
  std::map<std::string, std::string> annotations;
};

nlohmann::json to_json(const State& s);

}  // namespace agentrt::oci
