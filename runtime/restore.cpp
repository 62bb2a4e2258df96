#include <fcntl.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <optional>

#include "cgroups/manager.hpp"
#include "oci/support/error.hpp"
#include "oci/support/fs.hpp"
#include "runtime/agent_policy.hpp"
#include "runtime/checkpoint.hpp"
#include "runtime/container_config.hpp"
#include "runtime/create_steps.hpp"
#include "runtime/criu_policy.hpp"
#include "runtime/criu_run.hpp"
#include "runtime/hooks.hpp"
#include "runtime/lifecycle.hpp"
#include "runtime/owned_processes.hpp"
#include "runtime/proc_info.hpp"
#include "runtime/process_wait.hpp"
#include "seccomp/cache.hpp"
#include "seccomp/filter.hpp"

namespace agentrt::runtime {
namespace {

// criu wants the root it restores into to be a mount point whose parent is not overmounted: the rootfs is
// bound on a directory of the container's state dir for the restore, and unmounted after it.
class RootBind {
 public:
  RootBind(const std::string& rootfs, std::string at) : at_(std::move(at)) {
    if (::mkdir(at_.c_str(), 0700) < 0) throw sys_error("mkdir " + at_);
    if (::mount(rootfs.c_str(), at_.c_str(), nullptr, MS_BIND | MS_REC, nullptr) < 0) {
      Error e = sys_error("bind " + rootfs + " on " + at_);
      ::rmdir(at_.c_str());
      throw e;
    }
  }
  ~RootBind() {
    ::umount2(at_.c_str(), MNT_DETACH);
    ::rmdir(at_.c_str());
  }
  RootBind(const RootBind&) = delete;
  RootBind& operator=(const RootBind&) = delete;
  const std::string& path() const { return at_; }

 private:
  std::string at_;
};

// Open namespace files criu inherits (joined net and pid namespaces).
class NamespaceFds {
 public:
  void open_for(std::vector<criu::JoinedNamespace>& joined) {
    for (auto& ns : joined) {
      if (ns.type != "net" && ns.type != "pid") continue;
      UniqueFd fd(::open(ns.path.c_str(), O_RDONLY | O_CLOEXEC));
      if (!fd) throw sys_error("linux.namespaces: open " + ns.path);
      ns.fd = fd.get();
      fds_.push_back(std::move(fd));
    }
  }
  std::vector<int> numbers() const {
    std::vector<int> out;
    for (const auto& fd : fds_) out.push_back(fd.get());
    return out;
  }

 private:
  std::vector<UniqueFd> fds_;
};

std::vector<std::string> read_descriptors(const std::string& image_dir) {
  std::string path = fs::join(image_dir, criu::kDescriptorsFile);
  auto text = fs::read_file_if_exists(path);
  if (!text)
    throw Error("--image-path: " + image_dir + " holds no checkpoint (no " + criu::kDescriptorsFile + ")",
                ENOENT);
  try {
    return nlohmann::json::parse(*text).get<std::vector<std::string>>();
  } catch (const std::exception& e) {
    throw Error(path + ": " + e.what(), EINVAL);
  }
}

// The init's confinement at checkpoint (criu_policy.hpp), which the restored one must match.
criu::ProcessPolicy checkpoint_policy(const std::string& image_dir) {
  std::string path = fs::join(image_dir, criu::kPolicyFile);
  auto text = fs::read_file_if_exists(path);
  if (!text)
    throw Error("--image-path: no " + std::string(criu::kPolicyFile) + " in " + image_dir +
                    ": the checkpoint's confinement is unknown, so the restore is refused",
                ENOENT);
  try {
    return criu::policy_from_json(nlohmann::json::parse(*text));
  } catch (const nlohmann::json::exception& e) {
    throw Error(path + ": " + e.what(), EINVAL);
  }
}

// Refuses a restored init that is less confined than at checkpoint, or than the bundle's policy asks.
void verify_policy(pid_t pid, const criu::ProcessPolicy& before, const oci::Spec& spec) {
  criu::ProcessPolicy now =
      criu::parse_process_policy(fs::read_file("/proc/" + std::to_string(pid) + "/status"));
  std::vector<std::string> losses = criu::policy_losses(before, now);
  if (spec.linux && spec.linux->seccomp && now.seccomp_mode != 2)
    losses.push_back("seccomp: the config has a filter, the restored init has mode " +
                     std::to_string(now.seccomp_mode));
  if (spec.process && spec.process->no_new_privileges && !now.no_new_privs)
    losses.push_back("no_new_privs: the config sets process.noNewPrivileges, the restored init has it off");
  if (losses.empty()) return;
  std::string all;
  for (const auto& l : losses) all += (all.empty() ? "" : "; ") + l;
  throw Error("restored container has less confinement than it had: " + all + " (the restore was undone)",
              EPERM);
}

// runc runs prestart and createRuntime when criu has made the namespaces and knows the init's pid (its
// "setup-namespaces" notification), before any restored task runs; createContainer and startContainer run
// in its init, which a restore does not run, and so does agentrt. criu's command line has no notification:
// the tasks are still stopped here, so the hooks likewise run before any of them resumes, and a failing
// hook undoes the restore.
void run_restore_hooks(const Context& ctx, const oci::Spec& spec, const std::string& id, pid_t pid,
                       const std::string& bundle) {
  std::string state_json = creating_state_json(id, pid, bundle, spec);
  run_hooks(spec.hooks.prestart, state_json, "prestart", true, ctx.log);
  run_hooks(spec.hooks.create_runtime, state_json, "createRuntime", true, ctx.log);
}

}  // namespace

int restore_container(const Context& ctx, const RestoreRequest& req) {
  std::string criu_bin = criu::find_criu(ctx.criu);
  // The bundle first: what it asks that a restore cannot give is refused before criu runs.
  ContainerConfig cc = load_container_config(ctx, req.bundle.empty() ? "." : req.bundle);
  const oci::Spec& spec = cc.spec;
  if (spec.process && spec.process->terminal) throw Error(criu::kTerminalRefusal, ENOTSUP);
  if (!req.console_socket.empty())
    throw Error("--console-socket: given, but process.terminal is false in the bundle's config");

  if (req.criu.image_path.empty()) throw Error("--image-path: no checkpoint directory given", EINVAL);
  std::vector<std::string> stdio = read_descriptors(req.criu.image_path);
  criu::ProcessPolicy before = checkpoint_policy(req.criu.image_path);
  std::string work = req.criu.work_path.empty() ? req.criu.image_path : req.criu.work_path;
  if (::mkdir(work.c_str(), 0700) < 0 && errno != EEXIST) throw sys_error("--work-path " + work);
  criu::check_criu(criu_bin, work);

  const StateStore& store = ctx.store;
  UniqueFd lock = claim_id(ctx, req.id);
  std::unique_ptr<cgroups::Manager> cgroup;  // declared before the rollback, which uses it while unwinding
  CreateRollback rollback(store, req.id);

  cgroups::Config cgcfg{req.id, spec.linux->cgroups_path, ctx.systemd_cgroup, spec.annotations};
  cgroup = cgroups::create_manager(cgcfg);
  try {
    cgroup->reserve();
  } catch (const Error& e) {
    throw e.wrap(cgroups_path_field(cgcfg));
  }
  ContainerRecord rec = new_container_record(ctx, req.id, cc, cgroup.get());
  store.save(rec);
  rollback.set_cgroup(cgroup.get());
  cgroup->create();
  // A systemd scope exists only around a process: its limits go in once criu runs in it (the restored
  // tasks are still stopped then). Other cgroups get them before criu starts.
  auto apply_limits = [&] {
    cgroup->apply(with_default_devices(spec.linux->resources));
    for (const auto& w : cgroup->warnings()) ctx.log.warn(w);
  };
  if (!ctx.systemd_cgroup) apply_limits();
  store.save_config(req.id, cc.raw_text);
  // Before criu makes the restored tasks in the cgroup (sockets restored already connected stay so).
  if (cc.egress) attach_egress_filter(ctx, *cc.egress, cgroup.get(), rec, rollback);
  // `exec` into the restored container installs this program, as it does for a created one.
  if (spec.linux->seccomp) {
    std::vector<std::string> warnings;
    seccomp::Program program = seccomp::compile_layers(*spec.linux->seccomp, cc.floor_filter, warnings,
                                                       store.root() + "/.cache/seccomp");
    seccomp::cache_store(store.seccomp_program_path(req.id), {program, warnings});
  }

  criu::ContainerFacts facts = criu::facts_from_spec(spec, cc.bundle);
  NamespaceFds ns_fds;
  ns_fds.open_for(facts.joined);
  // Only while criu runs: the restored mount namespace has its own copy, and delete needs the dir empty.
  std::optional<RootBind> root;
  root.emplace(cc.rootfs, fs::join(store.dir(req.id), "criu-root"));
  facts.root = root->path();
  facts.cgroup_root = cgroup->path();
  facts.stdio = stdio;
  facts.pid_file = fs::join(store.dir(req.id), "criu-restore.pid");
  std::string log = fs::join(work, criu::kRestoreLog);
  // criu runs in the container's cgroup, so the tasks it restores are born there.
  criu::run_criu(
      criu_bin, criu::restore_args(req.criu, facts), "restore", log, ns_fds.numbers(),
      [&](pid_t criu_pid) { cgroup->add_process(criu_pid); },
      before.no_new_privs || (spec.process && spec.process->no_new_privileges));
  root.reset();
  if (ctx.systemd_cgroup) apply_limits();
  std::string pid_text = fs::trim(fs::read_file(facts.pid_file));
  ::unlink(facts.pid_file.c_str());
  pid_t pid = 0;
  try {
    pid = static_cast<pid_t>(std::stol(pid_text));
  } catch (const std::exception&) {
    throw Error("criu restore: pid file " + facts.pid_file + " holds \"" + pid_text + "\"", EINVAL);
  }
  rollback.set_pid(pid);
  verify_policy(pid, before, spec);
  run_restore_hooks(ctx, spec, req.id, pid, cc.bundle);
  // Confinement checked: let the restored tasks run. (A task that was itself stopped at checkpoint runs on
  // too: criu's command line leaves every task stopped alike.)
  for (pid_t task : cgroup->pids()) ::kill(task, SIGCONT);

  commit_container_record(rec, pid, cgroup.get());
  store.save(rec);
  if (!req.pid_file.empty()) fs::write_file_atomic(req.pid_file, std::to_string(pid), 0644);
  rollback.commit();
  lock.reset();
  if (req.detach) return 0;
  // The restored init is our child (--restore-sibling): wait for it as `run` does, then delete.
  sigset_t set = forwarded_signals();
  ::sigprocmask(SIG_BLOCK, &set, nullptr);
  int code = exit_code(wait_forwarding(pid, set));
  delete_container(ctx, req.id, true);
  return code;
}

}  // namespace agentrt::runtime
