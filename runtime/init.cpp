#include "runtime/init.hpp"

#include <fcntl.h>
#include <linux/keyctl.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <nlohmann/json.hpp>

#include "oci/state.hpp"
#include "oci/support/error.hpp"
#include "oci/support/fs.hpp"
#include "oci/support/unix_socket.hpp"
#include "policy/landlock_apply.hpp"
#include "runtime/credentials.hpp"
#include "runtime/exec_path.hpp"
#include "runtime/hooks.hpp"
#include "runtime/process_launch.hpp"
#include "runtime/process_setup.hpp"
#include "runtime/rootfs.hpp"
#include "runtime/sync.hpp"
#include "runtime/terminal.hpp"

namespace agentrt::runtime {
namespace {

// The runtime sends our pid as the host sees it; the rest of the hooks' state comes from the spec.
std::string receive_state_json(const InitConfig& cfg) {
  char buf[64];
  ssize_t n;
  do {
    n = ::recv(cfg.sync_fd, buf, sizeof buf, 0);
  } while (n < 0 && errno == EINTR);
  if (n < 0) throw sys_error("sync receive");
  if (n == 0) throw Error("runtime exited during create");
  if (static_cast<SyncMsg>(buf[0]) != SyncMsg::go) throw Error("sync: expected go");
  oci::State state;
  state.id = cfg.id;
  state.status = oci::Status::creating;
  state.pid = std::atoi(std::string(buf + 1, static_cast<size_t>(n - 1)).c_str());
  state.bundle = cfg.bundle;
  state.annotations = cfg.spec->annotations;
  return oci::to_json(state).dump();
}

void join_session_keyring(const std::string& id) {
  std::string name = "_ses." + id;
  if (::syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, name.c_str()) < 0 && errno != ENOSYS)
    throw sys_error("join session keyring");
}

void change_dir(const std::string& cwd, bool readonly_root) {
  if (::chdir(cwd.c_str()) == 0) return;
  if (errno != ENOENT || readonly_root) throw sys_error("process.cwd: chdir " + cwd);
  fs::mkdir_all(cwd, 0755);
  if (::chdir(cwd.c_str()) < 0) throw sys_error("process.cwd: chdir " + cwd);
}

// As pid 1 of its pid namespace the waiting init would ignore every default-action signal, so `kill ID TERM`
// of a created container would do nothing; engines stop created containers that way. execve resets these.
void exit_on_termination_signals() {
  struct sigaction sa {};
  sa.sa_handler = [](int sig) { ::_exit(128 + sig); };
  sigemptyset(&sa.sa_mask);
  for (int sig : {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGPIPE, SIGALRM})
    ::sigaction(sig, &sa, nullptr);
}

// The runtime commits the container (saves its record with our pid) after `ready`. Killed before that, it
// leaves no record of us: end of file here, and we exit instead of waiting on the fifo for ever. A plain
// read(), as the seccomp filter is already installed and any filter a process can live with allows it; a
// filter that refuses it anyway leaves us going on as before there was a commit step.
void wait_for_commit(int sync_fd) {
  char c = 0;
  ssize_t n;
  do {
    n = ::read(sync_fd, &c, 1);
  } while (n < 0 && errno == EINTR);
  if (n == 0 || (n == 1 && static_cast<SyncMsg>(c) != SyncMsg::commit)) ::_exit(1);
}

[[noreturn]] void exec_user_process(const InitConfig& cfg, const PreparedExec& prepared,
                                    const std::string& state_json) {
  std::string fifo = "/proc/self/fd/" + std::to_string(cfg.fifo_fd);
  int w = ::open(fifo.c_str(), O_WRONLY | O_CLOEXEC);  // blocks until `start` opens the fifo
  if (w < 0) {
    ::dprintf(2, "agentrt init: open exec fifo: %s\n", std::strerror(errno));
    ::_exit(1);
  }
  ssize_t n = ::write(w, "0", 1);
  (void)n;
  // w stays open until execve closes it (O_CLOEXEC): `start` reads to end of file, so it returns only once
  // the startContainer hooks ran and the user process is executing, and poststart hooks run after that.
  ::close(cfg.fifo_fd);
  const auto& spec = *cfg.spec;
  try {
    if (!spec.hooks.start_container.empty()) {
      auto state = nlohmann::json::parse(state_json);
      state["status"] = "created";  // the fifo was released: the container is created, not creating
      run_hooks(spec.hooks.start_container, state.dump(), "startContainer", true, cfg.log);
    }
  } catch (const Error& e) {
    cfg.log.error(e.what());
    ::_exit(1);
  }
  exec_process_image(prepared, spec.process->args);
  ::dprintf(2, "agentrt init: exec %s: %s\n", prepared.path.c_str(), std::strerror(errno));
  ::_exit(127);
}

}  // namespace

void run_init(const InitConfig& cfg) {
  const oci::Spec& spec = *cfg.spec;
  const oci::Process& proc = *spec.process;
  try {
    // Until `ready`, the init dies with the runtime; and no container process may open our /proc/<pid>/exe,
    // which is still the agentrt binary until the exec (CVE-2019-5736).
    sigset_t none;  // `run` blocks the signals it forwards; the container process must not inherit that
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    bool new_user = cfg.namespaces.clone_flags & CLONE_NEWUSER;
    // With a new user namespace the runtime (or newuidmap) writes our id maps before `go`: an unprivileged
    // writer can open /proc/<pid>/uid_map only while we are dumpable. Nothing of the container runs yet.
    if (!new_user) ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    join_own_cgroups(cfg.cgroup_self_join);
    std::vector<int> keep = {0, 1, 2, cfg.sync_fd, cfg.fifo_fd, cfg.console_fd, cfg.log.fd()};
    for (int i = 0; i < cfg.preserve_fds; ++i) keep.push_back(3 + i);
    close_fds_except(keep);
    std::string state_json = receive_state_json(cfg);
    if (new_user) ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);

    join_namespaces(cfg.namespaces.join_child);
    if (new_user) {
      if (::setresgid(0, 0, 0) < 0) throw sys_error("setgid 0 in the user namespace");
      if (::setresuid(0, 0, 0) < 0) throw sys_error("setuid 0 in the user namespace");
    }
    if (cfg.namespaces.unshare_cgroup && ::unshare(CLONE_NEWCGROUP) < 0)
      throw sys_error("unshare cgroup namespace");
    if (!cfg.no_new_keyring) join_session_keyring(cfg.id);
    apply_hostname(spec.hostname, spec.domainname);

    RootfsOptions ropts;
    ropts.no_pivot = cfg.no_pivot;
    ropts.shared_mount_ns = cfg.shared_mount_ns;
    ropts.in_user_ns = new_user || spec.linux->find_namespace(oci::NamespaceType::user);
    ropts.bundle = cfg.bundle;
    prepare_rootfs(spec, cfg.rootfs, ropts);
    sync_send(cfg.sync_fd, SyncMsg::mounts_ready);
    sync_expect(cfg.sync_fd, SyncMsg::hooks_done, "createRuntime hooks");
    run_hooks(spec.hooks.create_container, state_json, "createContainer", true, cfg.log);
    // Before readonlyPaths make /proc/sys read-only and the root goes read-only (runc's order).
    ropts.after_pivot = [&] {
      apply_sysctls(spec.linux->sysctl);
      change_dir(proc.cwd, false);
      if (proc.terminal) {
        setup_container_console(cfg.console_fd, proc.console_size);
        ::close(cfg.console_fd);
        bind_console();
      } else if (::getsid(0) != ::getpid() && ::setsid() < 0) {
        // A session of its own, as runc's init always has: a container whose init shares the runtime's
        // session cannot be checkpointed (criu: "a session leader is outside of its pid namespace").
        throw sys_error("setsid");
      }
    };
    finalize_rootfs(spec, ropts);
    if (proc.oom_score_adj) apply_oom_score_adj(*proc.oom_score_adj);
    if (spec.linux->personality) apply_personality(*spec.linux->personality);
    // While the init still holds CAP_SYS_ADMIN and before the seccomp filter; the exec fifo, outside the
    // container, stays writable for the handshake with `start`.
    if (cfg.landlock) policy::apply_landlock(*cfg.landlock, {cfg.fifo_fd});
    PreparedExec prepared = apply_process(
        proc, cfg.seccomp, ropts.in_user_ns, cfg.caller_unprivileged, cfg.log, [&](int listener) {
          // The listener socket lives on the host: hand the fd to the runtime, still waiting for `ready`.
          send_fd(cfg.sync_fd, listener, std::string(1, static_cast<char>(SyncMsg::seccomp_fd)));
        });
    cloexec_from(3 + cfg.preserve_fds);
    ::prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
    exit_on_termination_signals();
    sync_send(cfg.sync_fd, SyncMsg::ready);
    wait_for_commit(cfg.sync_fd);
    ::close(cfg.sync_fd);
    exec_user_process(cfg, prepared, state_json);
  } catch (const std::exception& e) {
    try {
      sync_send(cfg.sync_fd, SyncMsg::error, e.what());
    } catch (...) {
    }
    ::_exit(1);
  }
}

}  // namespace agentrt::runtime
