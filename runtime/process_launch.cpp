#include "runtime/process_launch.hpp"

#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "oci/support/error.hpp"
#include "runtime/credentials.hpp"
#include "runtime/exec_path.hpp"
#include "runtime/process_setup.hpp"

namespace agentrt::runtime {
namespace {

void load_filter(const seccomp::Program& p, const std::function<void(int)>& on_listener) {
  int listener = seccomp::install(p);
  if (listener >= 0) {
    on_listener(listener);
    ::close(listener);
  }
}

}  // namespace

PreparedExec apply_process(const oci::Process& proc, const std::optional<seccomp::Program>& filter,
                           bool in_user_ns, bool caller_unprivileged, const Logger& log,
                           const std::function<void(int)>& on_listener) {
  apply_rlimits(proc.rlimits);
  if (proc.io_priority) apply_io_priority(*proc.io_priority);
  PreparedExec out;
  out.env = process_env(proc);
  out.path = find_executable(proc.args.at(0), out.env);
  ::umask(proc.user.umask ? *proc.user.umask : 022);

  if (filter && !proc.no_new_privileges) load_filter(*filter, on_listener);
  // No process.capabilities keeps every capability, as runc does.
  if (proc.capabilities) drop_bounding_set(*proc.capabilities);
  switch_user(proc.user, in_user_ns, caller_unprivileged);
  if (proc.capabilities) apply_capabilities(*proc.capabilities, log);
  if (proc.no_new_privileges && ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    throw sys_error("process.noNewPrivileges: prctl");
  if (filter && proc.no_new_privileges) load_filter(*filter, on_listener);
  return out;
}

void exec_process_image(const PreparedExec& prepared, const std::vector<std::string>& args) {
  std::vector<char*> argv, envp;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  for (const auto& e : prepared.env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  ::execve(prepared.path.c_str(), argv.data(), envp.data());
}

}  // namespace agentrt::runtime
