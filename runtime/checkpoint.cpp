#include "runtime/checkpoint.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "cgroups/manager.hpp"
#include "oci/parse.hpp"
#include "oci/support/error.hpp"
#include "oci/support/fs.hpp"
#include "runtime/criu_policy.hpp"
#include "runtime/criu_run.hpp"
#include "runtime/lifecycle.hpp"
#include "runtime/status.hpp"

namespace agentrt::runtime {
namespace {

void make_dir(const std::string& path, const char* flag) {
  if (::mkdir(path.c_str(), 0700) < 0 && errno != EEXIST) throw sys_error(std::string(flag) + " " + path);
}

// The cgroup criu freezes the container with instead of stopping each task with ptrace (which a forking
// process can outrun); empty when there is none to use.
std::string freezer_dir(const cgroups::Manager& cg) {
  std::string dir =
      cg.layout() == cgroups::Layout::unified ? cg.clone_into_dir() : "/sys/fs/cgroup/freezer" + cg.path();
  return !dir.empty() && fs::exists(dir) ? dir : "";
}

std::string proc_path(pid_t pid, const std::string& rest) {
  return "/proc/" + std::to_string(pid) + rest;
}

std::string fd_target(pid_t pid, int fd) {
  std::string link = proc_path(pid, "/fd/" + std::to_string(fd));
  char buf[4096];
  ssize_t n = ::readlink(link.c_str(), buf, sizeof buf - 1);
  if (n < 0) return "";  // a closed stdio fd
  return std::string(buf, static_cast<size_t>(n));
}

// The facts criu dump needs that only the running container knows.
criu::ContainerFacts dump_facts(const Container& c, const oci::Spec& spec) {
  criu::ContainerFacts f = criu::facts_from_spec(spec, c.rec.bundle);
  f.pid = c.rec.pid;
  f.root = c.rec.rootfs;
  // /dev/null is bound on masked files; masked directories get an empty tmpfs criu dumps itself.
  for (const auto& p : spec.linux ? spec.linux->masked_paths : std::vector<std::string>{}) {
    struct stat st;
    if (::stat(proc_path(c.rec.pid, "/root" + p).c_str(), &st) == 0 && !S_ISDIR(st.st_mode))
      f.masked_files.push_back(p);
  }
  for (auto& ns : f.joined) {
    struct stat st;
    if (::stat(ns.path.c_str(), &st) < 0) throw sys_error("linux.namespaces: stat " + ns.path);
    ns.inode = st.st_ino;
  }
  if (c.cgroup) f.freeze_cgroup = freezer_dir(*c.cgroup);
  return f;
}

}  // namespace

void checkpoint_container(const Context& ctx, const std::string& id, const criu::CheckpointOptions& opts) {
  std::string criu_bin = criu::find_criu(ctx.criu);
  {
    UniqueFd lock = ctx.store.lock(id);
    Container c = open_container(ctx.store, id);
    oci::Status status = container_status(ctx.store, c);
    if (status != oci::Status::running)
      throw Error("container " + id + " is not running (status " + oci::to_string(status) +
                  "): only a running container can be checkpointed");
    oci::Spec spec = oci::parse_spec(ctx.store.load_config(id));
    if (spec.process && spec.process->terminal) throw Error(criu::kTerminalRefusal, ENOTSUP);
    make_dir(opts.image_path, "--image-path");
    std::string work = opts.work_path.empty() ? opts.image_path : opts.work_path;
    make_dir(work, "--work-path");
    criu::check_criu(criu_bin, work);

    criu::ContainerFacts facts = dump_facts(c, spec);
    if (!opts.pre_dump) {
      nlohmann::json stdio = nlohmann::json::array();
      for (int fd = 0; fd < 3; ++fd) stdio.push_back(fd_target(c.rec.pid, fd));
      fs::write_file(fs::join(opts.image_path, criu::kDescriptorsFile), stdio.dump(), 0600);
      criu::ProcessPolicy policy = criu::parse_process_policy(fs::read_file(proc_path(c.rec.pid, "/status")));
      fs::write_file(fs::join(opts.image_path, criu::kPolicyFile), criu::to_json(policy).dump(2) + "\n",
                     0600);
    }
    std::string log = fs::join(work, opts.pre_dump ? criu::kPreDumpLog : criu::kDumpLog);
    criu::run_criu(criu_bin, criu::dump_args(opts, facts), opts.pre_dump ? "pre-dump" : "dump", log);
  }
  if (opts.pre_dump || opts.leave_running) return;
  // criu killed the container's processes once they were saved: what is left is the record and the cgroup.
  delete_container(ctx, id, true);
}

}  // namespace agentrt::runtime
