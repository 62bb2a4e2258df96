#include "oci/support/error.hpp"
#include "runtime/cli/command.hpp"

namespace agentrt::cli {

// CRIU-based checkpoint/restore is not implemented: say so plainly rather than pretend.
int cmd_checkpoint(const runtime::Context&, const Args&) {
  throw Error("checkpoint is not supported by agentrt");
}

int cmd_restore(const runtime::Context&, const Args&) {
  throw Error("restore is not supported by agentrt");
}

}  // namespace agentrt::cli
