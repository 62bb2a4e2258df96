#pragma once
// `exec`: runs one more process in a running container. The runtime joins the init's pid (and time) namespace
// for its child, which joins the rest itself, is placed in the container's cgroup, applies the process's own
// user, caps, rlimits, no_new_privs and the container's seccomp filter, then execs.
#include <optional>
#include <string>
#include <vector>

#include "oci/spec.hpp"
#include "runtime/context.hpp"

namespace agentrt::runtime {

struct ExecOptions {
  std::string id;
  std::string process_file;       // --process: a process.json replaces everything below
  std::vector<std::string> args;  // the command line
  std::vector<std::string> env;   // -e K=V, added to (and overriding) the container's env
  std::string user;               // -u uid[:gid]
  std::vector<uint32_t> additional_gids;
  std::string cwd;
  bool tty = false;
  std::string console_socket;
  bool detach = false;
  std::string pid_file;
  std::vector<std::string> caps;  // --cap CAP_X: added to every set
  bool no_new_privs = false;
  int preserve_fds = 0;
  bool ignore_paused = false;
};

// The process to run: the container's process with the flags applied, or --process. Pure apart from reading
// --process; throws errors naming the flag.
oci::Process exec_process(const oci::Process& base, const ExecOptions& opts);

// Returns the process's exit code (128+signal when killed), or 0 when detached.
int exec_in_container(const Context& ctx, const ExecOptions& opts);

}  // namespace agentrt::runtime
