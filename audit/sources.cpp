#include "audit/sources.hpp"

#include <algorithm>

namespace agentrt::audit {

std::vector<nlohmann::json> Sources::read_new() {
  std::vector<nlohmann::json> out = log_.read_new();
  if (extra_.empty()) return out;
  // A record without timeNs (a line that did not parse) keeps its place after the record before it.
  std::vector<std::pair<int64_t, nlohmann::json>> timed;
  int64_t last = 0;
  for (auto& r : out) {
    last = r.value("timeNs", last);
    timed.emplace_back(last, std::move(r));
  }
  for (auto& source : extra_)
    for (auto& r : source()) timed.emplace_back(r.value("timeNs", int64_t{0}), std::move(r));
  std::stable_sort(timed.begin(), timed.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  out.clear();
  for (auto& [t, r] : timed) out.push_back(std::move(r));
  return out;
}

}  // namespace agentrt::audit
