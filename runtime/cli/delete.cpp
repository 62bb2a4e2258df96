#include "runtime/cli/command.hpp"
#include "runtime/lifecycle.hpp"

namespace agentrt::cli {

int cmd_delete(const runtime::Context& ctx, const Args& args) {
  bool force = false;
  po::options_description d("delete");
  d.add_options()("force,f", po::bool_switch(&force), "kill the container first if it is still running");
  Parsed p = parse(args, d);
  runtime::delete_container(ctx, container_id(p, "delete"), force);
  return 0;
}

}  // namespace agentrt::cli
