#pragma once
// /dev content of a container: the default device nodes, linux.devices, /dev/ptmx and the /dev/fd,
// /dev/std{in,out,err} and /dev/core symlinks. Planning is pure; create_* act inside the rootfs.
#include <cstdint>
#include <string>
#include <vector>

#include "oci/spec.hpp"

namespace agentrt::runtime {

struct DeviceNode {
  std::string path;  // container path, e.g. /dev/null
  char type = 'c';   // c, u (unbuffered char), b, p
  int64_t major = 0, minor = 0;
  uint32_t mode = 0666;  // permission bits
  uint32_t uid = 0, gid = 0;
};

struct DevSymlink {
  std::string target;  // /proc/self/fd
  std::string link;    // /dev/fd
};

// runc sets up /dev unless it is a bind mount from the spec.
bool needs_dev_setup(const oci::Spec& spec);
// null zero full random urandom tty (0666, root), then linux.devices; a spec device replaces a default one
// with the same path.
std::vector<DeviceNode> plan_devices(const oci::Spec& spec);
// The /dev symlinks; /dev/core only when the host has /proc/kcore.
std::vector<DevSymlink> plan_dev_symlinks(bool have_kcore);
// S_IFCHR | mode etc. for mknod; throws Error for unknown types.
unsigned mknod_mode(const DeviceNode& node);

// The device cgroup rules runc always appends after linux.resources.devices (its AllowedDevices): mknod of
// any char/block device, rwm on the default nodes, /dev/pts/*, /dev/ptmx and /dev/net/tun. Without them a
// spec whose rules start with "deny all" (every engine's) leaves the container unable to use /dev/null.
std::vector<oci::DeviceCgroupRule> default_device_rules();

// mknod each node inside the rootfs (root_fd) with its mode and owner; with `bind` (a user namespace) or when
// mknod is not permitted, bind-mount the host node of the same path instead, as runc does.
void create_devices(int root_fd, const std::vector<DeviceNode>& nodes, bool bind);
// /dev/ptmx -> pts/ptmx and the symlinks of plan_dev_symlinks().
void create_dev_links(int root_fd, const std::vector<DevSymlink>& links);

}  // namespace agentrt::runtime
