#pragma once
#include <nlohmann/json.hpp>

namespace agentrt::runtime {

// runtime-spec features.md document describing what this binary implements.
nlohmann::json features_json();

}  // namespace agentrt::runtime
