#include "runtime/features.hpp"

#include <cstdio>

#include "runtime/cli/command.hpp"

namespace agentrt::cli {

int cmd_features(const runtime::Context&, const Args& args) {
  po::options_description d("features");
  require_args(parse(args, d), "features", 0);
  std::printf("%s\n", runtime::features_json().dump(4).c_str());
  return 0;
}

}  // namespace agentrt::cli
