#include "runtime/create.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include "runtime/cli/command.hpp"
#include "runtime/preserved_fds.hpp"

namespace agentrt::cli {

// Flags shared by create and run.
// systemd socket activation: the fds are ours only when LISTEN_PID names this process.
int listen_fds_from_env() {
  const char* fds = std::getenv("LISTEN_FDS");
  const char* pid = std::getenv("LISTEN_PID");
  if (!fds || !pid || std::atoi(pid) != ::getpid()) return 0;
  return std::max(0, std::atoi(fds));
}

void add_create_flags(po::options_description& d, runtime::CreateOptions& o) {
  d.add_options()("bundle,b", po::value(&o.bundle), "path to the root of the bundle directory")(
      "console-socket", po::value(&o.console_socket), "unix socket that receives the pty master")(
      "pid-file", po::value(&o.pid_file), "file to write the init's pid to")(
      "no-pivot", po::bool_switch(&o.no_pivot), "use MS_MOVE + chroot instead of pivot_root")(
      "no-new-keyring", po::bool_switch(&o.no_new_keyring), "keep the caller's session keyring")(
      "preserve-fds", po::value(&o.preserve_fds), "pass N extra fds (from 3) to the container");
}

int cmd_create(const runtime::Context& ctx, const Args& args) {
  runtime::CreateOptions o;
  po::options_description d("create");
  add_create_flags(d, o);
  Parsed p = parse(args, d);
  o.id = container_id(p, "create");
  o.listen_fds = listen_fds_from_env();
  runtime::check_preserved_fds(o.listen_fds, o.preserve_fds, {ctx.log.fd()});
  runtime::create_container(ctx, o);
  return 0;
}

}  // namespace agentrt::cli
