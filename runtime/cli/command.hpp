#pragma once
// One function per CLI command; each lives in its own file and only parses flags, calls runtime/ and prints.
#include <boost/program_options.hpp>
#include <string>
#include <vector>

#include "oci/support/error.hpp"
#include "runtime/context.hpp"

namespace agentrt::cli {

namespace po = boost::program_options;
using Args = std::vector<std::string>;

// An error that must end the command with a specific exit code (runc's exec fails with 255).
struct CommandFailure : Error {
  CommandFailure(const Error& e, int code) : Error(e), exit_code(code) {}
  int exit_code;
};

struct Command {
  const char* name;
  const char* summary;
  int (*run)(const runtime::Context& ctx, const Args& args);
};

const std::vector<Command>& commands();

// Parses a command's flags and positionals. Flags may appear anywhere until `stop_after` positionals have
// been seen (exec's command line starts after the container id); what follows is returned in `rest`.
struct Parsed {
  po::variables_map vm;
  std::vector<std::string> positionals;
  std::vector<std::string> rest;
};
Parsed parse(const Args& args, const po::options_description& desc, size_t stop_after = SIZE_MAX);

// Throws runc's usage errors: `"start" requires exactly 1 argument(s)`.
void require_args(const Parsed& p, const char* cmd, size_t exactly);
void require_min_args(const Parsed& p, const char* cmd, size_t at_least);
// The one positional most commands take.
std::string container_id(const Parsed& p, const char* cmd);

int cmd_create(const runtime::Context&, const Args&);
int cmd_start(const runtime::Context&, const Args&);
int cmd_run(const runtime::Context&, const Args&);
int cmd_state(const runtime::Context&, const Args&);
int cmd_kill(const runtime::Context&, const Args&);
int cmd_delete(const runtime::Context&, const Args&);
int cmd_list(const runtime::Context&, const Args&);
int cmd_exec(const runtime::Context&, const Args&);
int cmd_ps(const runtime::Context&, const Args&);
int cmd_pause(const runtime::Context&, const Args&);
int cmd_resume(const runtime::Context&, const Args&);
int cmd_events(const runtime::Context&, const Args&);
int cmd_update(const runtime::Context&, const Args&);
int cmd_spec(const runtime::Context&, const Args&);
int cmd_features(const runtime::Context&, const Args&);
int cmd_checkpoint(const runtime::Context&, const Args&);
int cmd_restore(const runtime::Context&, const Args&);
int cmd_install(const runtime::Context&, const Args&);
int cmd_uninstall(const runtime::Context&, const Args&);
int cmd_workspace(const runtime::Context&, const Args&);
int cmd_audit(const runtime::Context&, const Args&);

}  // namespace agentrt::cli
