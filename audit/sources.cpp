#include "audit/sources.hpp"

#include <algorithm>

namespace agentrt::audit {

std::vector<nlohmann::json> Sources::read_new() {
  std::vector<nlohmann::json> out = log_.read_new();
  if (extra_.empty()) return out;
  for (auto& source : extra_)
    for (auto& r : source()) out.push_back(std::move(r));
  std::stable_sort(out.begin(), out.end(), [](const nlohmann::json& a, const nlohmann::json& b) {
    return a.value("timeNs", int64_t{0}) < b.value("timeNs", int64_t{0});
  });
  return out;
}

}  // namespace agentrt::audit
