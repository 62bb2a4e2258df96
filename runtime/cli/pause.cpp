#include "runtime/cgroup_ops.hpp"
#include "runtime/cli/command.hpp"

namespace agentrt::cli {

int cmd_pause(const runtime::Context& ctx, const Args& args) {
  po::options_description d("pause");
  runtime::pause_container(ctx, container_id(parse(args, d), "pause"));
  return 0;
}

int cmd_resume(const runtime::Context& ctx, const Args& args) {
  po::options_description d("resume");
  runtime::resume_container(ctx, container_id(parse(args, d), "resume"));
  return 0;
}

}  // namespace agentrt::cli
