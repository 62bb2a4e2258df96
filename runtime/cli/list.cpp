#include <cstdio>

#include "oci/support/error.hpp"
#include "runtime/cli/command.hpp"
#include "runtime/lifecycle.hpp"

namespace agentrt::cli {

int cmd_list(const runtime::Context& ctx, const Args& args) {
  std::string format = "table";
  bool quiet = false;
  po::options_description d("list");
  d.add_options()("format,f", po::value(&format), "table or json")("quiet,q", po::bool_switch(&quiet),
                                                                   "print only the ids");
  parse(args, d);
  if (format != "table" && format != "json") throw Error("invalid format option");
  auto list = runtime::list_containers(ctx);
  if (quiet) {
    for (const auto& c : list) std::printf("%s\n", c["id"].get<std::string>().c_str());
    return 0;
  }
  if (format == "json") {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& c : list) arr.push_back(c);
    std::printf("%s\n", list.empty() ? "null" : arr.dump().c_str());
    return 0;
  }
  std::printf("%-12s%-12s%-12s%-40s%-32s%s\n", "ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER");
  for (const auto& c : list) {
    std::printf("%-12s%-12d%-12s%-40s%-32s%s\n", c["id"].get<std::string>().c_str(), c["pid"].get<int>(),
                c["status"].get<std::string>().c_str(), c["bundle"].get<std::string>().c_str(),
                c["created"].get<std::string>().c_str(), c["owner"].get<std::string>().c_str());
  }
  return 0;
}

}  // namespace agentrt::cli
