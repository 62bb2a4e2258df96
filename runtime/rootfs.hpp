#pragma once
// The container's root filesystem, set up by the init inside its new mount namespace in two phases around
// the createContainer hooks.
#include <functional>
#include <string>

#include "oci/spec.hpp"

namespace agentrt::runtime {

struct RootfsOptions {
  bool no_pivot = false;    // --no-pivot: MS_MOVE + chroot instead of pivot_root
  bool in_user_ns = false;  // device nodes are bind-mounted from the host instead of mknod
  // In the caller's mount namespace (shared_mount_ns.hpp): no mount outside the rootfs is touched, the bind
  // of the rootfs is made private so nothing below it propagates, and chroot replaces pivot_root.
  bool shared_mount_ns = false;
  // finalize_rootfs: the rootfs given to prepare_rootfs. Empty: the current directory, where prepare_rootfs
  // leaves the process.
  std::string rootfs;
  // Base directory of relative bind-mount sources (the bundle). Empty: the current directory.
  std::string bundle;
  // finalize_rootfs calls this right after pivot_root, before any path becomes read-only: the place for
  // sysctls and the console, which runc also sets up before readonlyPaths.
  std::function<void()> after_pivot;
};

// Phase 1, in the init's new mount namespace before the createContainer hooks: / becomes rslave (or
// linux.rootfsPropagation), the rootfs is bind-mounted onto itself, spec.mounts are performed in order, and
// /dev is populated unless it is a bind mount. Leaves the current directory at the rootfs.
void prepare_rootfs(const oci::Spec& spec, const std::string& rootfs, const RootfsOptions& opts);

// Phase 2, after the createContainer hooks: pivot_root (or MS_MOVE + chroot) into the rootfs, detaching the
// old root; then readonlyPaths, maskedPaths, root.readonly, a read-only /dev if asked, and
// linux.rootfsPropagation on /.
void finalize_rootfs(const oci::Spec& spec, const RootfsOptions& opts);

}  // namespace agentrt::runtime
