#include "runtime/create.hpp"

#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <ctime>

#include "cgroups/manager.hpp"
#include "cgroups/paths.hpp"
#include "oci/parse.hpp"
#include "oci/state.hpp"
#include "oci/support/error.hpp"
#include "oci/support/fault_point.hpp"
#include "oci/support/fs.hpp"
#include "oci/support/unix_socket.hpp"
#include "runtime/agent_policy.hpp"
#include "runtime/container_config.hpp"
#include "runtime/create_steps.hpp"
#include "runtime/devices.hpp"
#include "runtime/hooks.hpp"
#include "runtime/init.hpp"
#include "runtime/lifecycle.hpp"
#include "runtime/owned_processes.hpp"
#include "runtime/passwd.hpp"
#include "runtime/preserved_fds.hpp"
#include "runtime/proc_info.hpp"
#include "runtime/sync.hpp"
#include "runtime/validate.hpp"
#include "seccomp/cache.hpp"
#include "seccomp/notify.hpp"

namespace agentrt::runtime {
namespace {

std::string id_map_text(const std::vector<oci::IdMapping>& maps) {
  std::string text;
  for (const auto& m : maps)
    text += std::to_string(m.container_id) + " " + std::to_string(m.host_id) + " " + std::to_string(m.size) +
            "\n";
  return text;
}

void write_id_maps(pid_t pid, const oci::Linux& linux) {
  std::string base = "/proc/" + std::to_string(pid);
  try {
    fs::write_existing(base + "/uid_map", id_map_text(linux.uid_mappings));
  } catch (const Error& e) {
    throw e.wrap("linux.uidMappings");
  }
  try {
    fs::write_existing(base + "/gid_map", id_map_text(linux.gid_mappings));
  } catch (const Error& e) {
    throw e.wrap("linux.gidMappings");
  }
}

void enter_new_time_namespace(const oci::Linux& linux) {
  if (::unshare(CLONE_NEWTIME) < 0) throw sys_error("unshare time namespace");
  std::string text;
  for (const auto& [clock, off] : linux.time_offsets)
    text += clock + " " + std::to_string(off.secs) + " " + std::to_string(off.nanosecs) + "\n";
  if (!text.empty()) {
    try {
      fs::write_existing("/proc/self/timens_offsets", text);
    } catch (const Error& e) {
      throw e.wrap("linux.timeOffsets");
    }
  }
}

// fork-like clone3: new namespaces at once, no new stack. The runtime is single-threaded here, so the child
// may keep running ordinary C++ until it execs.
// With cgroup_fd >= 0 the child is born in that cgroup2 directory (CLONE_INTO_CGROUP, no migration); *into
// says whether that worked (kernels before 5.7 or a cgroup that cannot take processes refuse it).
pid_t clone_init(unsigned long flags, int cgroup_fd, bool* into) {
  clone_args args{};
  args.flags = flags;
  args.exit_signal = SIGCHLD;
  *into = false;
  if (cgroup_fd >= 0) {
    args.flags |= CLONE_INTO_CGROUP;
    args.cgroup = static_cast<uint64_t>(cgroup_fd);
    long pid = ::syscall(SYS_clone3, &args, sizeof args);
    if (pid >= 0) {
      *into = true;
      return static_cast<pid_t>(pid);
    }
    args.flags &= ~static_cast<uint64_t>(CLONE_INTO_CGROUP);
    args.cgroup = 0;
  }
  long pid = ::syscall(SYS_clone3, &args, sizeof args);
  if (pid < 0) throw sys_error("clone3 container init");
  return static_cast<pid_t>(pid);
}

}  // namespace

pid_t create_container(const Context& ctx, const CreateOptions& opts) {
  const StateStore& store = ctx.store;
  UniqueFd lock = claim_id(ctx, opts.id);
  std::unique_ptr<cgroups::Manager> cgroup;  // declared before the rollback, which uses it while unwinding
  CreateRollback rollback(store, opts.id);

  ContainerConfig cc = load_container_config(ctx, opts.bundle.empty() ? "." : opts.bundle);
  if (opts.listen_fds > 0) {
    cc.spec.process->env.push_back("LISTEN_FDS=" + std::to_string(opts.listen_fds));
    cc.spec.process->env.push_back("LISTEN_PID=1");
  }
  const oci::Spec& spec = cc.spec;
  const oci::Process& proc = *spec.process;
  if (!fs::exists(cc.rootfs)) throw Error("root.path: rootfs " + cc.rootfs + " does not exist", ENOENT);
  NamespacePlan ns = plan_namespaces(*spec.linux);
  validate_namespaced_settings(spec);
  if (!(ns.clone_flags & CLONE_NEWNS) && !spec.linux->find_namespace(oci::NamespaceType::mount))
    throw Error("linux.namespaces: a mount namespace is required");

  InitConfig init;
  init.spec = &spec;
  init.rootfs = cc.rootfs;
  init.bundle = cc.bundle;
  init.namespaces = ns;
  init.preserve_fds = opts.listen_fds + opts.preserve_fds;
  init.no_pivot = opts.no_pivot;
  init.no_new_keyring = opts.no_new_keyring;
  init.id = opts.id;
  init.log = ctx.log;
  std::vector<std::string> seccomp_warnings;
  if (spec.linux->seccomp) {
    init.seccomp = seccomp::compile_layers(*spec.linux->seccomp, cc.floor_filter, seccomp_warnings,
                                           store.root() + "/.cache/seccomp");
    for (const auto& w : seccomp_warnings) ctx.log.warn(w);
  }

  UniqueFd console;
  if (proc.terminal) {
    if (opts.console_fd >= 0) {
      init.console_fd = opts.console_fd;
    } else if (!opts.console_socket.empty()) {
      console = connect_unix(opts.console_socket);
      init.console_fd = console.get();
    } else {
      throw Error("cannot allocate tty if agentrt will detach without setting console socket");
    }
  } else if (!opts.console_socket.empty()) {
    throw Error("cannot use console socket if agentrt will not detach or allocate tty");
  }

  std::string fifo = store.fifo_path(opts.id);
  if (::mkfifo(fifo.c_str(), 0622) < 0) throw sys_error("mkfifo " + fifo);
  // Writable by the process user whatever the umask: the init has dropped to it when it opens the fifo.
  if (::chmod(fifo.c_str(), 0622) < 0) throw sys_error("chmod " + fifo);
  UniqueFd fifo_fd(::open(fifo.c_str(), O_PATH | O_CLOEXEC));
  if (!fifo_fd) throw sys_error("open " + fifo);
  init.fifo_fd = fifo_fd.get();

  cgroups::Config cgcfg{opts.id, spec.linux->cgroups_path, ctx.systemd_cgroup};
  cgroup = cgroups::create_manager(cgcfg);
  try {
    cgroup->reserve();
  } catch (const Error& e) {
    throw e.wrap(cgroups_path_field(cgcfg));
  }

  // The intent, saved before any cgroup is made: it names the directories create will make, and reads
  // as creating while this process lives. If this create is killed from here on, `delete -f` and a new
  // create with this id find what to remove.
  ContainerRecord rec;
  rec.id = opts.id;
  rec.bundle = cc.bundle;
  rec.rootfs = cc.rootfs;
  rec.created = now_rfc3339();
  rec.owner = user_name(::geteuid());
  rec.annotations = spec.annotations;
  rec.hooks = cc.raw.value("hooks", nlohmann::json());
  rec.cgroup = cgroup->save();
  rec.agent_policy = cc.policy;
  rec.systemd_cgroup = ctx.systemd_cgroup;
  rec.phase = Phase::creating;
  rec.runtime_pid = ::getpid();
  if (auto self = read_proc_stat(rec.runtime_pid)) rec.runtime_start_time = self->start_time;
  store.save(rec);
  fault_point("create:intent-saved");

  rollback.set_cgroup(cgroup.get());
  cgroup->create();
  fault_point("create:cgroup-made");
  store.save_config(opts.id, cc.raw_text);
  if (init.seccomp)
    seccomp::cache_store(store.seccomp_program_path(opts.id), {*init.seccomp, seccomp_warnings});

  int sp[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0) throw sys_error("socketpair");
  UniqueFd parent_sock(sp[0]), child_sock(sp[1]);
  init.sync_fd = child_sock.get();

  join_namespaces(ns.join_parent);
  if (ns.new_time) enter_new_time_namespace(*spec.linux);

  init.cgroup_self_join = cgroup->self_join_files();
  UniqueFd cgroup_dir;
  if (std::string dir = cgroup->clone_into_dir(); !dir.empty())
    cgroup_dir.reset(::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  for (auto [fd, what] : {std::pair{lock.get(), "the state lock"},
                          {init.sync_fd, "the sync socket"},
                          {init.fifo_fd, "the exec fifo"},
                          {init.console_fd, "the console"},
                          {cgroup_dir.get(), "the cgroup directory"}})
    require_outside_preserved(fd, init.preserve_fds, what);
  bool born_in_cgroup = false;
  pid_t pid = clone_init(ns.clone_flags, cgroup_dir.get(), &born_in_cgroup);
  if (pid == 0) {
    parent_sock.reset();
    run_init(init);
  }
  rollback.set_pid(pid);
  child_sock.reset();
  fault_point("create:init-cloned");

  if (ns.clone_flags & CLONE_NEWUSER) write_id_maps(pid, *spec.linux);
  // The init moved itself into the v1 hierarchies; only a failed CLONE_INTO_CGROUP needs the slow path.
  if (!born_in_cgroup && !cgroup->clone_into_dir().empty()) cgroup->add_process(pid);

  oci::State state;
  state.id = opts.id;
  state.status = oci::Status::creating;
  state.pid = pid;
  state.bundle = cc.bundle;
  state.annotations = spec.annotations;
  std::string state_json = oci::to_json(state).dump();
  // Only the pid: the init builds the same state from its spec, so the message does not grow with the
  // annotations (a SOCK_SEQPACKET message must fit the socket buffer).
  sync_send(parent_sock.get(), SyncMsg::go, std::to_string(pid));

  // The limits are written while the init builds the rootfs (as runc, before any container code runs:
  // the init waits for hooks_done before it goes on to the user process).
  cgroup->apply(with_default_devices(spec.linux->resources));
  for (const auto& w : cgroup->warnings()) ctx.log.warn(w);
  auto st = read_proc_stat(pid);
  if (!st) throw Error("container init exited during create");

  sync_expect(parent_sock.get(), SyncMsg::mounts_ready, "rootfs setup");
  run_hooks(spec.hooks.prestart, state_json, "prestart", true, ctx.log);
  run_hooks(spec.hooks.create_runtime, state_json, "createRuntime", true, ctx.log);
  sync_send(parent_sock.get(), SyncMsg::hooks_done);

  for (;;) {
    SyncMessage m = sync_recv(parent_sock.get(), "container setup");
    if (m.type == SyncMsg::ready) break;
    if (m.type == SyncMsg::seccomp_fd && m.fd) {
      // runtime-spec containerProcessState: the listener learns which container the fd belongs to.
      nlohmann::json cps = seccomp::container_process_state(
          "1.2.0", pid, spec.linux->seccomp->listener_metadata, oci::to_json(state));
      seccomp::send_listener(spec.linux->seccomp->listener_path, m.fd.get(), cps);
    }
  }

  fault_point("create:init-ready");
  rec.pid = pid;
  rec.start_time = st->start_time;
  rec.pid_ns = container_pid_ns(pid);
  rec.phase = Phase::created;
  rec.runtime_pid = 0;
  rec.runtime_start_time = 0;
  store.save(rec);
  fault_point("create:committed");
  // Only now may the init go on to wait for `start`: killed before this, we leave an init that exits
  // when it reads the end of the socket instead of waiting with no record of it.
  sync_send(parent_sock.get(), SyncMsg::commit);
  if (!opts.pid_file.empty()) fs::write_file_atomic(opts.pid_file, std::to_string(pid), 0644);
  rollback.commit();
  return pid;
}

}  // namespace agentrt::runtime
