#pragma once
// The executor of mount_plan: performs one MountStep inside a rootfs with mount(2) on /proc/self/fd/N of an
// O_PATH fd resolved in the rootfs (safe_path.hpp), so no symlink can send a mount outside it.
#include <string>

#include "runtime/mount_plan.hpp"

namespace agentrt::runtime {

// root_fd: O_PATH fd of the rootfs; rootfs: its absolute host path without symlinks (for messages and to
// check where a destination resolved to). Errors read
// "mount proc to /proc (in rootfs /x/rootfs): Operation not permitted".
void execute_mount_step(const MountStep& step, int root_fd, const std::string& rootfs);

// The MS_* flags an unprivileged user may not drop on remount (nosuid, nodev, noexec, ro, atime), from
// statvfs(path).
unsigned long locked_mount_flags(const std::string& path);

}  // namespace agentrt::runtime
