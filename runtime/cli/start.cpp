#include "runtime/cli/command.hpp"
#include "runtime/lifecycle.hpp"

namespace agentrt::cli {

int cmd_start(const runtime::Context& ctx, const Args& args) {
  po::options_description d("start");
  Parsed p = parse(args, d);
  runtime::start_container(ctx, container_id(p, "start"));
  return 0;
}

}  // namespace agentrt::cli
