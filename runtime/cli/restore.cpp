#include <iostream>

#include "runtime/checkpoint.hpp"
#include "runtime/cli/command.hpp"

namespace agentrt::cli {

std::string absolute_dir(const std::string& path, const char* fallback);

int cmd_restore(const runtime::Context& ctx, const Args& args) {
  runtime::RestoreRequest r;
  std::string image, work, mode;
  bool help = false;
  po::options_description d("restore");
  d.add_options()("bundle,b", po::value(&r.bundle), "bundle directory (default: the current directory)")(
      "detach,d", po::bool_switch(&r.detach), "detach from the restored container's process")(
      "pid-file", po::value(&r.pid_file), "file to write the restored init's pid to")(
      "console-socket", po::value(&r.console_socket), "socket for the terminal's master")(
      "image-path", po::value(&image), "directory of the checkpoint images (default ./checkpoint)")(
      "work-path", po::value(&work), "directory for criu's log and work files (default: the image path)")(
      "tcp-established", po::bool_switch(&r.criu.tcp_established), "restore established TCP connections")(
      "file-locks", po::bool_switch(&r.criu.file_locks), "restore file locks")(
      "manage-cgroups-mode", po::value(&mode), "cgroups mode: soft, full, strict or ignore")(
      "help,h", po::bool_switch(&help), "print the flags");
  Parsed p = parse(args, d);
  if (help) {
    std::cout << d;
    return 0;
  }
  r.id = container_id(p, "restore");
  runtime::validate_container_id(r.id);
  r.criu.image_path = absolute_dir(image, "checkpoint");
  r.criu.work_path = absolute_dir(work, "");
  if (!mode.empty()) r.criu.cgroup_mode = runtime::criu::parse_cgroup_mode(mode);
  return runtime::restore_container(ctx, r);
}

}  // namespace agentrt::cli
