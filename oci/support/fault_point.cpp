#include "oci/support/fault_point.hpp"

#include <csignal>
#include <cstdlib>
#include <cstring>

namespace agentrt {

void fault_point(const char* name) {
  const char* want = std::getenv("AGENTRT_FAULT_POINT");
  if (want && std::strcmp(want, name) == 0) std::raise(SIGKILL);
}

}  // namespace agentrt
