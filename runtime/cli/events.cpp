#include <cstdio>

#include "oci/support/error.hpp"
#include "runtime/cgroup_ops.hpp"
#include "runtime/cli/command.hpp"

namespace agentrt::cli {
namespace {

// "5s", "500ms", "1m" -> milliseconds (Go duration syntax, the subset runc users pass).
int parse_interval(const std::string& s) {
  size_t used = 0;
  double v;
  try {
    v = std::stod(s, &used);
  } catch (const std::exception&) {
    throw Error("--interval: invalid duration " + s);
  }
  std::string unit = s.substr(used);
  double ms = unit == "ms" ? v : unit == "s" || unit.empty() ? v * 1000 : unit == "m" ? v * 60000 : -1;
  if (ms <= 0) throw Error("--interval: invalid duration " + s);
  return static_cast<int>(ms);
}

}  // namespace

int cmd_events(const runtime::Context& ctx, const Args& args) {
  std::string interval = "5s";
  bool stats = false;
  po::options_description d("events");
  d.add_options()("interval", po::value(&interval), "stats interval (default 5s)")(
      "stats", po::bool_switch(&stats), "print the stats once and exit");
  Parsed p = parse(args, d);
  std::string id = container_id(p, "events");
  if (stats) {
    std::printf("%s\n", runtime::stats_event(ctx, id).dump().c_str());
    return 0;
  }
  runtime::stream_events(ctx, id, parse_interval(interval));
  return 0;
}

}  // namespace agentrt::cli
