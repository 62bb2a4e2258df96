#include "oci/support/error.hpp"

#include <cstring>

namespace agentrt {

Error sys_error(const std::string& what, int err) {
  return Error(what + ": " + std::strerror(err), err);
}

Error sys_error(const std::string& what) {
  return sys_error(what, errno);
}

}  // namespace agentrt
