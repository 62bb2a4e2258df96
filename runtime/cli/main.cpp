// agentrt: the runc-compatible command line. Global flags come before the command, as with runc.
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>

#include "audit/supervisor.hpp"
#include "oci/support/error.hpp"
#include "runtime/cli/command.hpp"
#include "runtime/version.hpp"

namespace agentrt::cli {
namespace {

struct GlobalFlags {
  std::string root;  // empty: /run/agentrt, or $XDG_RUNTIME_DIR/agentrt when rootless (rootless.hpp)
  std::string log;
  std::string log_format = "text";
  std::string profile;
  std::string fs_write, fs_read, egress;
  std::string criu;  // the criu binary for checkpoint/restore
  std::string rootless;
  std::string cgroup_manager;
  std::string workspace, workspace_store;
  bool audit = false, no_audit = false;
  bool debug = false;
  bool systemd_cgroup = false;
  bool version = false;
  bool help = false;
};

po::options_description global_options(GlobalFlags& g) {
  po::options_description d("global options");
  d.add_options()("root", po::value(&g.root),
                  "state directory (default /run/agentrt; $XDG_RUNTIME_DIR/agentrt when rootless)")(
      "log", po::value(&g.log), "log file (default stderr)")(
      "log-format", po::value(&g.log_format), "text or json")("debug", po::bool_switch(&g.debug),
                                                              "debug logging")(
      "systemd-cgroup", po::bool_switch(&g.systemd_cgroup), "cgroupsPath is slice:prefix:name")(
      "profile", po::value(&g.profile),
      "agent policy: agent-default, agent-locked, agent-dev, agent-nested, off")(
      "fs-write", po::value(&g.fs_write), "container paths writable (comma-separated; run.agentrt.fs.write)")(
      "fs-read", po::value(&g.fs_read), "container paths readable (comma-separated; run.agentrt.fs.read)")(
      "egress", po::value(&g.egress), "egress allow-list (run.agentrt.net.egress)")(
      "audit", po::bool_switch(&g.audit), "record the calls the agent policy denies (run.agentrt.audit)")(
      "no-audit", po::bool_switch(&g.no_audit), "do not, even under agent-locked")(
      "criu", po::value(&g.criu), "criu binary for checkpoint/restore (default: criu in PATH)")(
      "rootless", po::value(&g.rootless), "true, false or auto (default)")(
      "cgroup-manager", po::value(&g.cgroup_manager), "cgroupfs (default), systemd or disabled")(
      "workspace", po::value(&g.workspace),
      "bind mount destinations to overlay for review (comma-separated)")(
      "workspace-store", po::value(&g.workspace_store),
      "where workspaces live (default: workspaceStore in /etc/agentrt/config.json, else "
      "/var/lib/agentrt/workspaces)")("version,v", po::bool_switch(&g.version), "print the version")(
      "help,h", po::bool_switch(&g.help), "help");
  return d;
}

// Commands that never open a container's state: they run for an unprivileged user with no state root.
bool uses_state_store(const std::string& command) {
  for (const char* stateless : {"spec", "features", "install", "uninstall"})
    if (command == stateless) return false;
  return true;
}

// Podman passes crun's --cgroup-manager; runc 1.1.5 has no such flag.
void apply_cgroup_manager(const std::string& value, runtime::Context& ctx) {
  if (value.empty() || value == "cgroupfs") return;
  if (value == "systemd")
    ctx.systemd_cgroup = true;
  else if (value == "disabled")
    ctx.cgroups_disabled = true;
  else
    throw Error("--cgroup-manager: invalid value \"" + value + "\" (expected cgroupfs, systemd or disabled)");
}

void usage(const po::options_description& d) {
  std::printf("usage: agentrt [global options] command [command options] [arguments...]\n\ncommands:\n");
  for (const auto& c : commands()) std::printf("  %-12s%s\n", c.name, c.summary);
  std::cout << "\n" << d;
}

int dispatch(int argc, char** argv) {
  GlobalFlags g;
  po::options_description gd = global_options(g);
  Args all(argv + 1, argv + argc);
  // Global flags end at the first positional: the command.
  Parsed globals = parse(all, gd, 1);
  if (g.version) {
    std::fputs(runtime::version_text(), stdout);
    return 0;
  }
  if (g.help || globals.positionals.empty()) {
    usage(gd);
    return globals.positionals.empty() && !g.help ? 1 : 0;
  }
  if (g.log_format != "text" && g.log_format != "json")
    throw Error("invalid log-format: " + g.log_format + " (expected text or json)");

  runtime::Context ctx;
  int log_fd = 2;
  if (!g.log.empty()) {
    log_fd = ::open(g.log.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (log_fd < 0) throw sys_error("open log file " + g.log);
  }
  ctx.log = runtime::Logger(
      log_fd, g.log_format == "json" ? runtime::LogFormat::json : runtime::LogFormat::text, g.debug);
  ctx.rootless = runtime::detect_rootless(runtime::parse_rootless_flag(g.rootless));
  ctx.profile_flag = g.profile;
  if (g.audit && g.no_audit) throw Error("--audit and --no-audit: choose one");
  ctx.policy_flags = {g.fs_write, g.fs_read, g.egress, g.audit ? "true" : g.no_audit ? "false" : ""};
  ctx.systemd_cgroup = g.systemd_cgroup;
  apply_cgroup_manager(g.cgroup_manager, ctx);
  ctx.workspace_flag = g.workspace;
  ctx.workspace_store = g.workspace_store;
  ctx.criu = g.criu;
  const std::string& name = globals.positionals[0];
  if (g.root.empty() && uses_state_store(name)) {
    auto choice =
        runtime::default_state_root(ctx.rootless, std::getenv("XDG_RUNTIME_DIR"), std::getenv("USER"));
    if (choice.from_xdg) runtime::prepare_xdg_state_root(choice.path);
    g.root = choice.path;
  }
  if (!g.root.empty()) ctx.store = runtime::StateStore(g.root);

  for (const auto& c : commands()) {
    if (name != c.name) continue;
    try {
      return c.run(ctx, globals.rest);
    } catch (const std::exception& e) {
      ctx.log.error(e.what());
      // With --log going to a file, the user still sees the reason on stderr, as with runc.
      if (log_fd != 2) std::fprintf(stderr, "%s\n", e.what());
      auto* failure = dynamic_cast<const CommandFailure*>(&e);
      return failure ? failure->exit_code : 1;
    }
  }
  throw Error("No help topic for '" + name + "'");
}

}  // namespace

const std::vector<Command>& commands() {
  static const std::vector<Command> table = {
      {"create", "create a container", cmd_create},
      {"start", "start the process of a created container", cmd_start},
      {"run", "create and start a container", cmd_run},
      {"state", "print the state of a container", cmd_state},
      {"kill", "send a signal to the container's init", cmd_kill},
      {"delete", "delete a container and what it holds", cmd_delete},
      {"list", "list containers", cmd_list},
      {"exec", "run a process in a running container", cmd_exec},
      {"ps", "list the processes of a container", cmd_ps},
      {"pause", "freeze every process of a container", cmd_pause},
      {"resume", "thaw a paused container", cmd_resume},
      {"events", "stream stats and OOM events of a container", cmd_events},
      {"update", "change the resource limits of a running container", cmd_update},
      {"spec", "write a default config.json", cmd_spec},
      {"features", "print the features this runtime supports (JSON)", cmd_features},
      {"checkpoint", "checkpoint a running container with CRIU", cmd_checkpoint},
      {"restore", "restore a container from a CRIU checkpoint", cmd_restore},
      {"install", "register agentrt with docker, podman or containerd", cmd_install},
      {"uninstall", "remove what install registered", cmd_uninstall},
      {"workspace", "review an agent's workspace: list, diff, commit, discard", cmd_workspace},
      {"audit", "print the calls the agent policy denied a container", cmd_audit},
  };
  return table;
}

}  // namespace agentrt::cli

int main(int argc, char** argv) {
  // The audit supervisor lives as long as its container: it runs before anything else is set up.
  if (argc > 1 && std::strcmp(argv[1], agentrt::audit::kSupervisorMode) == 0)
    return agentrt::audit::supervisor_main(argc, argv);
  try {
    return agentrt::cli::dispatch(argc, argv);
  } catch (const std::exception& e) {
    agentrt::runtime::Logger(2, agentrt::runtime::LogFormat::text, false).error(e.what());
    return 1;
  }
}
