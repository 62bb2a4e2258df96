#include "oci/state.hpp"

namespace agentrt::oci {

const char* to_string(Status s) {
  switch (s) {
    case Status::creating:
      return "creating";
    case Status::created:
      return "created";
    case Status::running:
      return "running";
    case Status::paused:
      return "paused";
    case Status::stopped:
      return "stopped";
  }
  return "unknown";
}

nlohmann::json to_json(const State& s) {
  nlohmann::json j = {
      {"ociVersion", s.oci_version}, {"id", s.id}, {"status", to_string(s.status)}, {"bundle", s.bundle}};
  j["pid"] = s.pid;  // runc prints 0 once stopped; engines expect the key
  if (!s.annotations.empty()) j["annotations"] = s.annotations;
  return j;
}

}  // namespace agentrt::oci
