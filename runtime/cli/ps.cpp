#include <sys/wait.h>

#include <cstdio>
#include <memory>
#include <set>
#include <sstream>

#include "oci/support/error.hpp"
#include "runtime/cgroup_ops.hpp"
#include "runtime/cli/command.hpp"

namespace agentrt::cli {
namespace {

// Runs the host's ps with the user's arguments (as runc does) and keeps the header and the container's rows.
void print_ps_table(const std::vector<pid_t>& pids, const std::vector<std::string>& ps_args) {
  std::string cmd = "ps";
  for (const auto& a : ps_args.empty() ? std::vector<std::string>{"-ef"} : ps_args) {
    std::string quoted = "'";
    for (char c : a) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    cmd += " " + quoted + "'";
  }
  FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
  if (!p) throw sys_error("run " + cmd);
  std::set<pid_t> want(pids.begin(), pids.end());
  char buf[4096];
  int pid_col = -1;
  bool header = true;
  std::vector<std::string> lines;
  while (std::fgets(buf, sizeof buf, p)) lines.push_back(buf);
  int status = ::pclose(p);
  if (status != 0) {
    std::string out;
    for (const auto& l : lines) out += l;
    throw Error("exit status " + std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : 128) + ": " + out);
  }
  for (const auto& text : lines) {
    const char* line = text.c_str();
    std::istringstream in(line);
    std::vector<std::string> cols;
    for (std::string w; in >> w;) cols.push_back(w);
    if (header) {
      for (size_t i = 0; i < cols.size(); ++i)
        if (cols[i] == "PID") pid_col = static_cast<int>(i);
      if (pid_col < 0) throw Error("couldn't find PID field in ps output");
      std::fputs(line, stdout);
      header = false;
      continue;
    }
    if (static_cast<int>(cols.size()) > pid_col && want.count(std::atoi(cols[pid_col].c_str())))
      std::fputs(line, stdout);
  }
  if (header) throw Error("couldn't find PID field in ps output");
}

}  // namespace

int cmd_ps(const runtime::Context& ctx, const Args& args) {
  std::string format = "table";
  po::options_description d("ps");
  d.add_options()("format,f", po::value(&format), "table or json");
  Parsed p = parse(args, d, 1);
  require_min_args(p, "ps", 1);
  if (format != "table" && format != "json") throw Error("invalid format: " + format);
  std::vector<pid_t> pids = runtime::container_pids(ctx, p.positionals[0]);
  if (format == "json") {
    std::printf("%s\n", nlohmann::json(pids).dump().c_str());
    return 0;
  }
  print_ps_table(pids, p.rest);
  return 0;
}

}  // namespace agentrt::cli
