#include <cstdio>

#include "runtime/cli/command.hpp"
#include "runtime/lifecycle.hpp"

namespace agentrt::cli {

int cmd_state(const runtime::Context& ctx, const Args& args) {
  po::options_description d("state");
  Parsed p = parse(args, d);
  std::string out = runtime::container_state_json(ctx, container_id(p, "state")).dump(2);
  std::printf("%s\n", out.c_str());
  return 0;
}

}  // namespace agentrt::cli
