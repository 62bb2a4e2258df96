#include "runtime/checkpoint.hpp"

#include <unistd.h>

#include <iostream>

#include "oci/support/fs.hpp"
#include "runtime/cli/command.hpp"

namespace agentrt::cli {

// runc's default image directory is ./checkpoint; criu is given absolute paths (it changes directory).
std::string absolute_dir(const std::string& path, const char* fallback) {
  std::string p = path.empty() ? fallback : path;
  if (p.empty() || p[0] == '/') return p;
  char cwd[4096];
  if (!::getcwd(cwd, sizeof cwd)) throw sys_error("getcwd");
  return fs::join(cwd, p);
}

int cmd_checkpoint(const runtime::Context& ctx, const Args& args) {
  runtime::criu::CheckpointOptions o;
  std::string image, work, mode;
  bool help = false;
  po::options_description d("checkpoint");
  d.add_options()("image-path", po::value(&image),
                  "directory for the checkpoint images (default ./checkpoint)")(
      "work-path", po::value(&work), "directory for criu's log and work files (default: the image path)")(
      "parent-path", po::value(&o.parent_path), "the previous pre-dump, relative to the image path")(
      "leave-running", po::bool_switch(&o.leave_running), "leave the container running after the checkpoint")(
      "tcp-established", po::bool_switch(&o.tcp_established), "checkpoint established TCP connections")(
      "file-locks", po::bool_switch(&o.file_locks), "checkpoint file locks")(
      "pre-dump", po::bool_switch(&o.pre_dump), "dump memory only, leaving the container running")(
      "manage-cgroups-mode", po::value(&mode), "cgroups mode: soft, full, strict or ignore")(
      "help,h", po::bool_switch(&help), "print the flags");
  Parsed p = parse(args, d);
  // Podman asks `<runtime> checkpoint --help` whether the runtime can checkpoint at all.
  if (help) {
    std::cout << d;
    return 0;
  }
  std::string id = container_id(p, "checkpoint");
  o.image_path = absolute_dir(image, "checkpoint");
  o.work_path = absolute_dir(work, "");
  if (!mode.empty()) o.cgroup_mode = runtime::criu::parse_cgroup_mode(mode);
  runtime::checkpoint_container(ctx, id, o);
  return 0;
}

}  // namespace agentrt::cli
