#include "runtime/exec.hpp"

#include "runtime/cli/command.hpp"
#include "runtime/preserved_fds.hpp"

namespace agentrt::cli {

int cmd_exec(const runtime::Context& ctx, const Args& args) {
  runtime::ExecOptions o;
  std::string apparmor, label;
  po::options_description d("exec");
  d.add_options()("process,p", po::value(&o.process_file), "process.json to run")(
      "env,e", po::value(&o.env)->composing(), "set an environment variable (KEY=VALUE)")(
      "user,u", po::value(&o.user), "uid[:gid]")(
      "additional-gids,g", po::value(&o.additional_gids)->composing(), "additional gids")(
      "cwd", po::value(&o.cwd), "working directory in the container")("tty,t", po::bool_switch(&o.tty),
                                                                      "allocate a pseudo-TTY")(
      "console-socket", po::value(&o.console_socket), "unix socket that receives the pty master")(
      "detach,d", po::bool_switch(&o.detach), "do not wait for the process")(
      "pid-file", po::value(&o.pid_file), "file to write the process pid to")(
      "cap,c", po::value(&o.caps)->composing(), "add a capability")(
      "no-new-privs", po::bool_switch(&o.no_new_privs), "set no_new_privileges")(
      "preserve-fds", po::value(&o.preserve_fds), "pass N extra fds (from 3)")(
      "ignore-paused", po::bool_switch(&o.ignore_paused), "allow exec in a paused container")(
      "apparmor", po::value(&apparmor), "ignored: no AppArmor on this runtime")(
      "process-label", po::value(&label), "ignored: no SELinux on this runtime");
  Parsed p = parse(args, d, 1);
  require_min_args(p, "exec", 1);
  o.id = p.positionals[0];
  o.args = p.rest;
  try {
    runtime::check_preserved_fds(0, o.preserve_fds, {ctx.log.fd()});
    return runtime::exec_in_container(ctx, o);
  } catch (const Error& e) {
    throw CommandFailure(
        e, 255);  // runc's exit code when exec itself fails, so callers tell it from the process's
  }
}

}  // namespace agentrt::cli
