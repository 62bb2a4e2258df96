#include "runtime/cli/command.hpp"
#include "runtime/lifecycle.hpp"

namespace agentrt::cli {

void add_create_flags(po::options_description& d, runtime::CreateOptions& o);
int listen_fds_from_env();

int cmd_run(const runtime::Context& ctx, const Args& args) {
  runtime::RunOptions o;
  po::options_description d("run");
  add_create_flags(d, o.create);
  d.add_options()("detach,d", po::bool_switch(&o.detach), "detach from the container's process")(
      "keep", po::bool_switch(&o.keep), "do not delete the container after it exits");
  Parsed p = parse(args, d);
  o.create.id = container_id(p, "run");
  o.create.listen_fds = listen_fds_from_env();
  return runtime::run_container(ctx, o);
}

}  // namespace agentrt::cli
