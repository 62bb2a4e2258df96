#pragma once
#include <string>
#include <vector>

#include "cgroups/plan.hpp"

// "controller/file=value" per write, for compact expectations.
inline std::vector<std::string> summary(const agentrt::cgroups::Plan& p) {
  std::vector<std::string> out;
  for (const auto& w : p.writes) out.push_back(w.controller + "/" + w.file + "=" + w.value);
  return out;
}

inline const agentrt::cgroups::FileWrite& write_for(const agentrt::cgroups::Plan& p,
                                                    const std::string& file) {
  for (const auto& w : p.writes)
    if (w.file == file) return w;
  throw std::runtime_error("no write for " + file);
}
