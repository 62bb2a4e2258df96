#include <unistd.h>

#include <cstdio>

#include "oci/default_spec.hpp"
#include "oci/support/error.hpp"
#include "oci/support/fs.hpp"
#include "runtime/cli/command.hpp"

namespace agentrt::cli {

int cmd_spec(const runtime::Context&, const Args& args) {
  std::string bundle = ".";
  bool rootless = false;
  po::options_description d("spec");
  d.add_options()("bundle,b", po::value(&bundle), "where to write config.json")(
      "rootless", po::bool_switch(&rootless), "a spec for an unprivileged user");
  Parsed p = parse(args, d);
  require_args(p, "spec", 0);
  std::string path = fs::join(bundle, "config.json");
  if (fs::exists(path)) throw Error("File " + path + " exists. Remove it first");
  fs::write_file(path, oci::default_spec(rootless).dump(2) + "\n", 0666 & ~0022);
  return 0;
}

}  // namespace agentrt::cli
