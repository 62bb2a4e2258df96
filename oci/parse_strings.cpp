// Strings handed to the kernel as they are: checked against what the kernel takes, with the field named.
#include <climits>

#include "oci/parse_internal.hpp"

namespace agentrt::oci::detail {

std::string c_string(const Node& n) {
  std::string s = n.str();
  if (s.find('\0') != std::string::npos) n.fail("contains a NUL byte");
  return s;
}

std::string uts_name(const Node& n) {
  if (!n.present()) return "";
  std::string s = c_string(n);
  if (s.size() > HOST_NAME_MAX)
    n.fail("longer than " + std::to_string(HOST_NAME_MAX) + " bytes (" + std::to_string(s.size()) +
           "), the kernel's limit");
  return s;
}

}  // namespace agentrt::oci::detail
