#include "runtime/exec.hpp"

#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "oci/parse.hpp"
#include "oci/support/error.hpp"
#include "oci/support/fs.hpp"
#include "oci/support/unix_socket.hpp"
#include "policy/landlock_apply.hpp"
#include "runtime/agent_policy.hpp"
#include "runtime/audit_trail.hpp"
#include "runtime/container_policy.hpp"
#include "runtime/namespaces.hpp"
#include "runtime/preserved_fds.hpp"
#include "runtime/process_launch.hpp"
#include "runtime/process_setup.hpp"
#include "runtime/process_wait.hpp"
#include "runtime/status.hpp"
#include "runtime/sync.hpp"
#include "runtime/terminal.hpp"
#include "seccomp/cache.hpp"
#include "seccomp/notify.hpp"

namespace agentrt::runtime {
namespace {

using oci::NamespaceType;

struct JoinedNamespace {
  NamespaceType type;
  UniqueFd fd;
};

ino_t ns_inode(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 ? st.st_ino : 0;
}

// Every namespace of the init that differs from ours, user first so the others are entered with its
// privileges.
std::vector<JoinedNamespace> open_container_namespaces(pid_t pid) {
  std::vector<JoinedNamespace> out;
  for (NamespaceType t :
       {NamespaceType::user, NamespaceType::mount, NamespaceType::pid, NamespaceType::network,
        NamespaceType::ipc, NamespaceType::uts, NamespaceType::cgroup, NamespaceType::time}) {
    std::string theirs = "/proc/" + std::to_string(pid) + "/ns/" + proc_ns_name(t);
    std::string ours = std::string("/proc/self/ns/") + proc_ns_name(t);
    ino_t a = ns_inode(theirs);
    if (a == 0 || a == ns_inode(ours)) continue;
    UniqueFd fd(::open(theirs.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) throw sys_error("open " + theirs);
    out.push_back({t, std::move(fd)});
  }
  return out;
}

struct ExecChild {
  const oci::Process* proc;
  const std::vector<JoinedNamespace>* namespaces;
  const std::optional<seccomp::Program>* filter;
  const std::optional<policy::LandlockPlan>* landlock;
  const std::vector<std::string>* cgroup_self_join;
  int sync_fd;
  int console_fd;
  int preserve_fds;
  int root_fd;  // the init's root, when the mount namespace is ours (not joined): chrooted into; -1 else
  bool user_ns_joined;       // the runtime entered the container's user namespace before the fork
  bool caller_unprivileged;  // the runtime runs with euid != 0: groups as plan_groups says
  Logger log;
};

[[noreturn]] void run_exec_child(const ExecChild& c) {
  try {
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    // Until the exec this process is the agentrt binary inside the container (CVE-2019-5736).
    ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    join_own_cgroups(*c.cgroup_self_join);
    std::vector<int> keep = {0, 1, 2, c.sync_fd, c.console_fd, c.root_fd, c.log.fd()};
    for (const auto& ns : *c.namespaces) keep.push_back(ns.fd.get());
    for (int i = 0; i < c.preserve_fds; ++i) keep.push_back(3 + i);
    close_fds_except(keep);
    sync_expect(c.sync_fd, SyncMsg::go, "exec");

    bool in_user_ns = c.user_ns_joined;
    for (const auto& ns : *c.namespaces) {
      if (ns.type == NamespaceType::pid || ns.type == NamespaceType::time) continue;  // joined by the parent
      if (ns.type == NamespaceType::user && c.user_ns_joined) continue;
      if (::setns(ns.fd.get(), clone_flag(ns.type)) < 0)
        throw sys_error(std::string("join the container's ") + oci::to_string(ns.type) + " namespace");
      in_user_ns |= ns.type == NamespaceType::user;
    }
    // A container in our own mount namespace (profile off without a mount namespace) is chrooted: setns
    // would not have moved us into its root.
    if (c.root_fd >= 0 && (::fchdir(c.root_fd) < 0 || ::chroot(".") < 0))
      throw sys_error("enter the container's root");
    const oci::Process& proc = *c.proc;
    // Relative to the container's root, which setns(mnt) or the chroot made ours: a host path cannot be
    // reached (CVE-2024-21626).
    if (::chdir(proc.cwd.c_str()) < 0) throw sys_error("cwd: chdir " + proc.cwd);
    if (proc.terminal) {
      setup_container_console(c.console_fd, proc.console_size);
      ::close(c.console_fd);
    }
    // The container's Landlock rules again: a domain cannot be joined, so this process gets its own with the
    // same rules (scoped signals and abstract sockets do not cross between it and the init's processes).
    if (*c.landlock) policy::apply_landlock(**c.landlock, {});
    PreparedExec prepared =
        apply_process(proc, *c.filter, in_user_ns, c.caller_unprivileged, c.log, [&](int listener) {
          send_fd(c.sync_fd, listener, std::string(1, static_cast<char>(SyncMsg::seccomp_fd)));
        });
    cloexec_from(3 + c.preserve_fds);
    ::prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
    exec_process_image(prepared, proc.args);
    throw sys_error("exec " + prepared.path);
  } catch (const std::exception& e) {
    try {
      sync_send(c.sync_fd, SyncMsg::error, e.what());
    } catch (...) {
    }
    ::_exit(127);
  }
}

// Born in the container's cgroup2 directory when there is one (CLONE_INTO_CGROUP: no migration cost).
pid_t fork_child(int cgroup_fd, bool* into) {
  clone_args args{};
  args.exit_signal = SIGCHLD;
  *into = false;
  if (cgroup_fd >= 0) {
    args.flags = CLONE_INTO_CGROUP;
    args.cgroup = static_cast<uint64_t>(cgroup_fd);
    long pid = ::syscall(SYS_clone3, &args, sizeof args);
    if (pid >= 0) {
      *into = true;
      return static_cast<pid_t>(pid);
    }
    args.flags = 0;
    args.cgroup = 0;
  }
  long pid = ::syscall(SYS_clone3, &args, sizeof args);
  if (pid < 0) throw sys_error("clone3 exec process");
  return static_cast<pid_t>(pid);
}

}  // namespace

int exec_in_container(const Context& ctx, const ExecOptions& opts) {
  Container c;
  oci::Status status;
  {
    UniqueFd lock = ctx.store.lock(opts.id);
    c = open_container(ctx.store, opts.id);
    status = container_status(ctx.store, c);
  }
  if (status == oci::Status::stopped) throw Error("cannot exec in a stopped container");
  if (status == oci::Status::paused && !opts.ignore_paused) throw Error("cannot exec in a paused container");

  // The filter the init installed, stored at create: with it, exec neither builds the spec's seccomp rules
  // nor hashes them to find the compiled-BPF cache entry. A container created before it was stored
  // recompiles.
  std::optional<seccomp::CachedProgram> stored = seccomp::cache_load(ctx.store.seccomp_program_path(opts.id));
  // The container's own spec with this process, hardened by the same agent profile as the container.
  oci::Spec spec = oci::parse_spec(
      ctx.store.load_config(opts.id, stored ? ConfigDetail::without_seccomp_rules : ConfigDetail::full));
  if (!spec.process || !spec.linux)
    throw Error("state of " + opts.id + ": config has no process or linux section");
  spec.process = exec_process(*spec.process, opts);
  policy::PolicyReport report = policy::apply_agent_policy(
      spec, policy::recorded_profile(c.rec.agent_policy, opts.id), audit_notifies(c.rec.agent_policy));
  const oci::Process& proc = *spec.process;
  std::optional<policy::LandlockPlan> landlock = recorded_landlock(c.rec.agent_policy);

  std::optional<seccomp::Program> filter;
  if (stored) {
    filter = std::move(stored->program);
  } else if (spec.linux->seccomp) {
    std::vector<std::string> warnings;
    filter = seccomp::compile_layers(*spec.linux->seccomp, report.floor_filter, warnings,
                                     ctx.store.root() + "/.cache/seccomp");
  }

  UniqueFd console, console_ours;
  if (proc.terminal) {
    if (!opts.console_socket.empty()) {
      console = connect_unix(opts.console_socket);
    } else if (opts.detach) {
      throw Error("cannot allocate tty if agentrt will detach without setting console socket");
    } else {
      int sp[2];
      if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0) throw sys_error("socketpair");
      console_ours.reset(sp[0]);
      console.reset(sp[1]);
    }
  }

  std::vector<JoinedNamespace> namespaces = open_container_namespaces(c.rec.pid);
  UniqueFd root;
  if (std::none_of(namespaces.begin(), namespaces.end(),
                   [](const JoinedNamespace& ns) { return ns.type == NamespaceType::mount; })) {
    std::string path = "/proc/" + std::to_string(c.rec.pid) + "/root";
    root.reset(::open(path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!root) throw sys_error("open " + path + " (the container's root)");
  }
  // pid and time namespaces apply to our children: enter them here so the child is born inside. Unprivileged,
  // we may enter them only from inside the container's user namespace (setns wants CAP_SYS_ADMIN over the
  // namespace's owner and our own), so we join that first; root lets the child join it.
  bool user_ns_joined = false;
  for (const auto& ns : namespaces) {
    bool join_here = ns.type == NamespaceType::pid || ns.type == NamespaceType::time ||
                     (ns.type == NamespaceType::user && ctx.rootless.euid != 0);
    if (!join_here) continue;
    user_ns_joined |= ns.type == NamespaceType::user;
    if (::setns(ns.fd.get(), clone_flag(ns.type)) < 0)
      throw sys_error(std::string("join the container's ") + oci::to_string(ns.type) + " namespace");
  }

  int sp[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0) throw sys_error("socketpair");
  UniqueFd parent_sock(sp[0]), child_sock(sp[1]);
  sigset_t set = forwarded_signals(), old;
  if (!opts.detach) ::sigprocmask(SIG_BLOCK, &set, &old);

  std::vector<std::string> self_join;
  UniqueFd cgroup_dir;
  if (c.cgroup) {
    self_join = c.cgroup->self_join_files();
    if (std::string dir = c.cgroup->clone_into_dir(); !dir.empty())
      cgroup_dir.reset(::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  }
  for (auto [fd, what] : {std::pair{parent_sock.get(), "the sync socket"},
                          {child_sock.get(), "the sync socket"},
                          {console.get(), "the console"},
                          {cgroup_dir.get(), "the cgroup directory"},
                          {root.get(), "the container's root"}})
    require_outside_preserved(fd, opts.preserve_fds, what);
  for (const auto& ns : namespaces) require_outside_preserved(ns.fd.get(), opts.preserve_fds, "a namespace");
  bool born_in_cgroup = false;
  pid_t pid = fork_child(cgroup_dir.get(), &born_in_cgroup);
  if (pid == 0) {
    ExecChild child{&proc,
                    &namespaces,
                    &filter,
                    &landlock,
                    &self_join,
                    child_sock.get(),
                    console.get(),
                    opts.preserve_fds,
                    root.get(),
                    user_ns_joined,
                    ctx.rootless.euid != 0,
                    ctx.log};
    run_exec_child(child);
  }
  child_sock.reset();
  console.reset();
  try {
    if (c.cgroup && !born_in_cgroup && !c.cgroup->clone_into_dir().empty()) c.cgroup->add_process(pid);
    sync_send(parent_sock.get(), SyncMsg::go);
    // The socket is close-on-exec: end of file means the exec happened; a message means it failed.
    for (;;) {
      char probe;
      ssize_t n = ::recv(parent_sock.get(), &probe, 1, MSG_PEEK);
      if (n == 0) break;
      if (n < 0 && errno == EINTR) continue;
      SyncMessage m = sync_recv(parent_sock.get(), "exec");
      if (m.type == SyncMsg::seccomp_fd && m.fd && audit_notifies(c.rec.agent_policy)) {
        audit::Trail trail = audit::Trail::reopen(ctx.store.root(), opts.id);
        pid_t supervisor = start_audit_supervisor(trail, m.fd.get(), c.rec.agent_policy, opts.id);
        trail.notice("supervisor " + std::to_string(supervisor) +
                     " answers the floor's denials of exec'd process " + std::to_string(pid));
      } else if (m.type == SyncMsg::seccomp_fd && m.fd) {
        oci::State st = oci_state(ctx.store, c);
        seccomp::send_listener(spec.linux->seccomp->listener_path, m.fd.get(),
                               seccomp::container_process_state(
                                   "1.2.0", pid, spec.linux->seccomp->listener_metadata, oci::to_json(st)));
      }
    }
  } catch (...) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    throw;
  }
  if (!opts.pid_file.empty()) fs::write_file_atomic(opts.pid_file, std::to_string(pid), 0644);
  if (opts.detach) return 0;

  int wstatus;
  UniqueFd master;
  if (console_ours) master = recv_fd(console_ours.get());
  if (master) {
    bridge_terminal(master.get());
    master.reset();
    if (::waitpid(pid, &wstatus, 0) < 0) throw sys_error("wait for exec process");
  } else {
    wstatus = wait_forwarding(pid, set);
  }
  ::sigprocmask(SIG_SETMASK, &old, nullptr);
  return exit_code(wstatus);
}

}  // namespace agentrt::runtime
