#include "oci/support/error.hpp"
#include "runtime/cli/command.hpp"
#include "runtime/lifecycle.hpp"

namespace agentrt::cli {

int cmd_kill(const runtime::Context& ctx, const Args& args) {
  bool all = false;
  po::options_description d("kill");
  d.add_options()("all,a", po::bool_switch(&all), "send the signal to every process in the container");
  Parsed p = parse(args, d);
  if (p.positionals.empty() || p.positionals.size() > 2)
    throw Error("\"kill\" requires a minimum of 1 and a maximum of 2 argument(s)");
  int sig = runtime::parse_signal(p.positionals.size() == 2 ? p.positionals[1] : "SIGTERM");
  runtime::kill_container(ctx, p.positionals[0], sig, all);
  return 0;
}

}  // namespace agentrt::cli
