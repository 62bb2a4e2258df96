#include "runtime/version.hpp"

namespace agentrt::runtime {

const char* version_text() {
  return "agentrt version " AGENTRT_VERSION "\nspec: 1.2.0\n";
}

}  // namespace agentrt::runtime
