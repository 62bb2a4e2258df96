#include <algorithm>
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
  // Columns as wide as their widest cell plus three spaces, as runc's tabwriter prints them.
  std::vector<std::vector<std::string>> rows = {{"ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"}};
  for (const auto& c : list)
    rows.push_back({c["id"].get<std::string>(), std::to_string(c["pid"].get<int>()),
                    c["status"].get<std::string>(), c["bundle"].get<std::string>(),
                    c["created"].get<std::string>(), c["owner"].get<std::string>()});
  std::vector<size_t> width(rows[0].size(), 0);
  for (const auto& r : rows)
    for (size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], r[i].size());
  for (const auto& r : rows) {
    std::string line;
    for (size_t i = 0; i < r.size(); ++i)
      line += i + 1 < r.size() ? r[i] + std::string(width[i] - r[i].size() + 3, ' ') : r[i];
    std::printf("%s\n", line.c_str());
  }
  return 0;
}

}  // namespace agentrt::cli
