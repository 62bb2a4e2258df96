#include <sys/capability.h>

#include <algorithm>
#include <cctype>

#include "oci/parse.hpp"

namespace agentrt::oci {

// Names are taken only as the spec writes them: upper case with the CAP_ prefix. libcap alone would also
// accept "cap_chown" and plain numbers, which runc rejects.
std::optional<int> capability_from_name(const std::string& name) {
  if (name.rfind("CAP_", 0) != 0) return std::nullopt;
  if (!std::all_of(name.begin(), name.end(), [](unsigned char c) { return std::isupper(c) || c == '_'; }))
    return std::nullopt;
  cap_value_t value = 0;
  if (cap_from_name(name.c_str(), &value) != 0) return std::nullopt;
  return static_cast<int>(value);
}

std::string capability_name(int cap) {
  if (cap < 0) return {};
  char* raw = cap_to_name(static_cast<cap_value_t>(cap));
  if (raw == nullptr) return {};
  std::string name(raw);
  cap_free(raw);
  // libcap prints capabilities it has no name for as their number.
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name.front()))) return {};
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::toupper(c); });
  return name;
}

}  // namespace agentrt::oci
