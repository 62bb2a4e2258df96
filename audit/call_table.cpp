#include "audit/call_table.hpp"

#include <algorithm>
#include <cctype>

#include "oci/support/error.hpp"

namespace agentrt::audit {

std::string encode_calls(const std::vector<AuditedCall>& calls) {
  std::string out;
  for (const auto& c : calls)
    out += (out.empty() ? "" : ",") + std::to_string(c.nr) + ":" + std::to_string(c.errno_ret) + ":" + c.name;
  return out;
}

std::vector<AuditedCall> decode_calls(const std::string& text) {
  std::vector<AuditedCall> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find(',', start);
    std::string entry = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
    size_t c1 = entry.find(':'), c2 = c1 == std::string::npos ? c1 : entry.find(':', c1 + 1);
    auto digits = [](const std::string& s) {
      return !s.empty() && s.size() <= 9 &&
             std::all_of(s.begin(), s.end(), [](char ch) { return std::isdigit(ch); });
    };
    if (c2 == std::string::npos || !digits(entry.substr(0, c1)) ||
        !digits(entry.substr(c1 + 1, c2 - c1 - 1)) || c2 + 1 == entry.size())
      throw Error("audited call table: malformed entry \"" + entry + "\" (expected nr:errno:name)");
    out.push_back({std::stoi(entry.substr(0, c1)),
                   static_cast<uint32_t>(std::stoul(entry.substr(c1 + 1, c2 - c1 - 1))),
                   entry.substr(c2 + 1)});
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out;
}

const AuditedCall* find_call(const std::vector<AuditedCall>& calls, int nr) {
  for (const auto& c : calls)
    if (c.nr == nr) return &c;
  return nullptr;
}

}  // namespace agentrt::audit
