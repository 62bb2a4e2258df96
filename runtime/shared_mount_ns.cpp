#include "runtime/shared_mount_ns.hpp"

#include <sys/mount.h>
#include <sys/stat.h>

#include <climits>
#include <cstdlib>

#include "oci/support/error.hpp"
#include "oci/support/fs.hpp"

namespace agentrt::runtime {
namespace {

uint64_t own_mount_ns() {
  struct stat st {};
  if (::stat("/proc/self/ns/mnt", &st) < 0) throw sys_error("stat /proc/self/ns/mnt");
  return st.st_ino;
}

}  // namespace

SharedMountNs observe_shared_mount_ns(const std::string& rootfs) {
  char real[PATH_MAX];
  if (!::realpath(rootfs.c_str(), real)) throw sys_error("root.path: rootfs " + rootfs);
  SharedMountNs shared;
  shared.mount_ns = own_mount_ns();
  shared.rootfs = real;
  auto mounts = parse_mountinfo(fs::read_file("/proc/self/mountinfo"));
  shared.mount_before = container_rootfs_mount(mounts, shared.rootfs, 0).value_or(0);
  return shared;
}

std::string release_shared_rootfs(const SharedMountNs& shared) {
  if (shared.mount_ns != own_mount_ns())
    return "the container's mounts on " + shared.rootfs + " are in mount namespace mnt:[" +
           std::to_string(shared.mount_ns) + "], not ours: run delete from that namespace to remove them";
  auto mounts = parse_mountinfo(fs::read_file("/proc/self/mountinfo"));
  if (!container_rootfs_mount(mounts, shared.rootfs, shared.mount_before)) return "";
  // Detached, the bind takes every mount below it along (and a busy one goes once its last user does).
  if (::umount2(shared.rootfs.c_str(), MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
    throw sys_error("detach the container's rootfs mount " + shared.rootfs);
  return "";
}

}  // namespace agentrt::runtime
