#include "runtime/cli/command.hpp"
#include "runtime/lifecycle.hpp"
#include "runtime/preserved_fds.hpp"

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
  runtime::check_preserved_fds(o.create.listen_fds, o.create.preserve_fds, {ctx.log.fd()});
  return runtime::run_container(ctx, o);
}

}  // namespace agentrt::cli
