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
#include "runtime/audit_trail.hpp"
#include "runtime/container_config.hpp"
#include "runtime/create_steps.hpp"
#include "runtime/devices.hpp"
#include "runtime/hooks.hpp"
#include "runtime/id_maps.hpp"
#include "runtime/init.hpp"
#include "runtime/lifecycle.hpp"
#include "runtime/owned_processes.hpp"
#include "runtime/passwd.hpp"
#include "runtime/preserved_fds.hpp"
#include "runtime/proc_info.hpp"
#include "runtime/rootless_cgroup.hpp"
#include "runtime/shared_mount_ns.hpp"
#include "runtime/sync.hpp"
#include "runtime/validate.hpp"
#include "seccomp/cache.hpp"
#include "seccomp/notify.hpp"
#include "workspace/prepare.hpp"

namespace agentrt::runtime {
namespace {

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

// The container's cgroup manager, or nullptr when it gets none (rootless without delegation, or
// --cgroup-manager disabled; rootless_cgroup.hpp). Makes nothing.
std::unique_ptr<cgroups::Manager> container_cgroup(const Context& ctx, const cgroups::Config& cfg,
                                                   ContainerConfig& cc) {
  if (!ctx.rootless.rootless && !ctx.cgroups_disabled) return cgroups::create_manager(cfg);
  cgroups::Layout layout = cgroups::detect_layout();
  CgroupSituation situation{ctx.rootless.rootless, ctx.cgroups_disabled, ""};
  std::unique_ptr<cgroups::Manager> manager;
  if (!ctx.cgroups_disabled) {
    manager = cgroups::create_manager(cfg);
    situation.delegation_problem = delegation_problem(layout, manager->clone_into_dir());
  }
  CgroupDecision decision = decide_cgroup(situation, requested_limits(cc.asked_resources, layout));
  if (decision.use) return manager;
  ctx.log.debug(decision.reason);
  bool policy_added_pids = cc.spec.linux->resources && cc.spec.linux->resources->pids &&
                           !(cc.asked_resources && cc.asked_resources->pids);
  // Recorded in the state (agentrt.agentPolicy) rather than warned on every create: rootless Podman
  // shows the runtime's warnings to the user at each `podman run`.
  if (policy_added_pids) {
    std::string note = "pids limit: not enforced (" + decision.reason + ")";
    cc.policy["notEnforced"].push_back(note);
    ctx.log.debug("agent policy " + note);
  }
  return nullptr;
}

// linux.resources with the default device rules. In a user namespace the device program cannot be loaded
// (the kernel wants CAP_SYS_ADMIN in the initial namespace), and the container cannot mknod anyway: runc
// skips it there, and so do we.
oci::Resources container_resources(const Context& ctx, const oci::Spec& spec) {
  if (!ctx.rootless.rootless) return with_default_devices(spec.linux->resources);
  oci::Resources r = spec.linux->resources.value_or(oci::Resources{});
  ctx.log.debug(
      "rootless: the device cgroup program is not loaded (not allowed in a user namespace); the "
      "container's /dev holds bind mounts of host nodes");
  r.devices.clear();
  return r;
}

// The workspace the annotation and --workspace ask for: its bind mounts become overlays (workspace/).
workspace::PreparedStore prepare_workspace(const Context& ctx, ContainerConfig& cc, const std::string& id) {
  auto destinations = workspace::requested_destinations(cc.spec, ctx.workspace_flag);
  if (destinations.empty()) return {};
  // Inside a user namespace overlayfs cannot write the trusted.overlay.* attributes the diff reads.
  if (cc.spec.linux && cc.spec.linux->has_namespace(oci::NamespaceType::user))
    throw Error(std::string("annotation ") + workspace::kAnnotation +
                ": a workspace cannot be used with a user namespace (linux.namespaces has user)");
  auto plan = workspace::plan_workspace(cc.spec, destinations, workspace::store_root(ctx.workspace_store), id,
                                        cc.bundle);
  return workspace::prepare_workspace(cc.spec, plan, id, now_rfc3339(), ctx.store.root());
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
  // Removed again if this create fails; kept with the container's changes after delete.
  workspace::PreparedStore workspace = prepare_workspace(ctx, cc, opts.id);
  const oci::Spec& spec = cc.spec;
  const oci::Process& proc = *spec.process;
  if (!fs::exists(cc.rootfs)) throw Error("root.path: rootfs " + cc.rootfs + " does not exist", ENOENT);
  NamespacePlan ns = plan_namespaces(*spec.linux);
  validate_namespaced_settings(spec);
  const bool shared_mount_ns =
      !(ns.clone_flags & CLONE_NEWNS) && !spec.linux->find_namespace(oci::NamespaceType::mount);
  if (shared_mount_ns) validate_shared_mount_ns(spec, policy::recorded_profile(cc.policy, opts.id));

  InitConfig init;
  init.spec = &spec;
  init.rootfs = cc.rootfs;
  init.bundle = cc.bundle;
  init.namespaces = ns;
  init.preserve_fds = opts.listen_fds + opts.preserve_fds;
  init.no_pivot = opts.no_pivot;
  init.shared_mount_ns = shared_mount_ns;
  init.no_new_keyring = opts.no_new_keyring;
  init.caller_unprivileged = ctx.rootless.euid != 0;
  init.id = opts.id;
  init.log = ctx.log;
  init.landlock = cc.landlock;
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

  cgroups::Config cgcfg{opts.id, spec.linux->cgroups_path, ctx.systemd_cgroup, spec.annotations};
  cgroup = container_cgroup(ctx, cgcfg, cc);
  if (cgroup) {
    try {
      cgroup->reserve();
    } catch (const Error& e) {
      throw e.wrap(cgroups_path_field(cgcfg));
    }
  }

  // The intent, saved before any cgroup is made: it names the directories create will make, and reads
  // as creating while this process lives. If this create is killed from here on, `delete -f` and a new
  // create with this id find what to remove.
  ContainerRecord rec = new_container_record(ctx, opts.id, cc, cgroup.get());
  if (shared_mount_ns) {
    // Before the init exists: a create killed from here on leaves the record that says what to unmount.
    SharedMountNs shared = observe_shared_mount_ns(cc.rootfs);
    rec.shared_mount_ns = to_json(shared);
    rollback.set_shared_mount_ns(shared);
  }
  store.save(rec);
  fault_point("create:intent-saved");

  rollback.set_cgroup(cgroup.get());
  if (cgroup) cgroup->create();
  fault_point("create:cgroup-made");
  store.save_config(opts.id, cc.raw_text);
  // Removed again if this create fails.
  std::optional<audit::Trail> audit_trail = start_audit_trail(store, opts.id, cc.policy);
  if (init.seccomp)
    seccomp::cache_store(store.seccomp_program_path(opts.id), {*init.seccomp, seccomp_warnings});

  int sp[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0) throw sys_error("socketpair");
  UniqueFd parent_sock(sp[0]), child_sock(sp[1]);
  init.sync_fd = child_sock.get();

  join_namespaces(ns.join_parent);
  if (ns.new_time) enter_new_time_namespace(*spec.linux);

  UniqueFd cgroup_dir;
  if (cgroup) {
    init.cgroup_self_join = cgroup->self_join_files();
    if (std::string dir = cgroup->clone_into_dir(); !dir.empty())
      cgroup_dir.reset(::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  }
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

  if (ns.clone_flags & CLONE_NEWUSER)
    write_id_maps(pid, *spec.linux, plan_id_maps(ctx.rootless, *spec.linux));
  // The init moved itself into the v1 hierarchies; a failed CLONE_INTO_CGROUP needs the slow path, and so
  // does a cgroup offering neither (a systemd scope: systemd makes it around its first process). A rootless
  // container without a cgroup has none to join.
  if (cgroup) {
    bool placed_itself =
        born_in_cgroup || (!init.cgroup_self_join.empty() && cgroup->clone_into_dir().empty());
    if (!placed_itself) cgroup->add_process(pid);
  }

  std::string state_json = creating_state_json(opts.id, pid, cc.bundle, spec);
  // Only the pid: the init builds the same state from its spec, so the message does not grow with the
  // annotations (a SOCK_SEQPACKET message must fit the socket buffer).
  sync_send(parent_sock.get(), SyncMsg::go, std::to_string(pid));

  // The limits are written while the init builds the rootfs (as runc, before any container code runs:
  // the init waits for hooks_done before it goes on to the user process).
  if (cgroup) {
    cgroup->apply(container_resources(ctx, spec));
    for (const auto& w : cgroup->warnings()) ctx.log.warn(w);
  }
  // The egress filter too: its program loads and attaches (several ms, mostly kernel work) overlap the
  // rootfs set-up, and no container code runs before hooks_done.
  if (cc.egress) attach_egress_filter(ctx, *cc.egress, cgroup.get(), rec, rollback);
  if (!read_proc_stat(pid)) throw Error("container init exited during create");

  sync_expect(parent_sock.get(), SyncMsg::mounts_ready, "rootfs setup");
  run_hooks(spec.hooks.prestart, state_json, "prestart", true, ctx.log);
  run_hooks(spec.hooks.create_runtime, state_json, "createRuntime", true, ctx.log);
  sync_send(parent_sock.get(), SyncMsg::hooks_done);

  for (;;) {
    SyncMessage m = sync_recv(parent_sock.get(), "container setup");
    if (m.type == SyncMsg::ready) break;
    if (m.type == SyncMsg::seccomp_fd && m.fd && audit_notifies(cc.policy)) {
      pid_t supervisor = start_audit_supervisor(*audit_trail, m.fd.get(), cc.policy, opts.id);
      audit_trail->notice("supervisor " + std::to_string(supervisor) +
                          " answers the floor's denials of the init");
    } else if (m.type == SyncMsg::seccomp_fd && m.fd) {
      // runtime-spec containerProcessState: the listener learns which container the fd belongs to.
      nlohmann::json cps = seccomp::container_process_state(
          "1.2.0", pid, spec.linux->seccomp->listener_metadata, nlohmann::json::parse(state_json));
      seccomp::send_listener(spec.linux->seccomp->listener_path, m.fd.get(), cps);
    }
  }

  fault_point("create:init-ready");
  commit_container_record(rec, pid, cgroup.get());
  store.save(rec);
  fault_point("create:committed");
  // Only now may the init go on to wait for `start`: killed before this, we leave an init that exits
  // when it reads the end of the socket instead of waiting with no record of it.
  sync_send(parent_sock.get(), SyncMsg::commit);
  if (!opts.pid_file.empty()) fs::write_file_atomic(opts.pid_file, std::to_string(pid), 0644);
  rollback.commit();
  workspace.keep();
  if (audit_trail) audit_trail->keep();
  return pid;
}

}  // namespace agentrt::runtime
