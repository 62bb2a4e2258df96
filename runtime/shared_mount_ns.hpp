#pragma once
// A container without a mount namespace of its own (profile off only, as runc runs it): it runs in the
// caller's mount namespace, chrooted into the rootfs. Its mounts (the rootfs bound onto itself, and every
// spec mount below it) live in the caller's mount table, so create records what was on the rootfs before,
// and delete (or whatever cleans up a failed create) detaches the one bind, taking all the mounts below it.
#include <sys/types.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "oci/spec.hpp"
#include "runtime/mountinfo.hpp"
#include "seccomp/agent_policy.hpp"

namespace agentrt::runtime {

// Kept in the container's state record.
struct SharedMountNs {
  uint64_t mount_ns = 0;  // inode of the caller's mount namespace, which the container shares
  std::string rootfs;     // the rootfs as a real path: where the bind is mounted
  int mount_before = 0;   // id of the topmost mount at rootfs before create; 0 when it was none
};

nlohmann::json to_json(const SharedMountNs& shared);
// null -> nullopt (the container has a mount namespace of its own).
std::optional<SharedMountNs> shared_mount_ns_from_json(const nlohmann::json& j);

// Pure. Throws, naming the field, when spec (under profile) may not run in the caller's mount namespace:
// only profile off allows it; not with maskedPaths or readonlyPaths (runc's rule), nor with rootfsPropagation
// (runc applies it to the caller's own /; we refuse rather than change the caller's mounts).
void validate_shared_mount_ns(const oci::Spec& spec, policy::Profile profile);

// Pure. The id of the mount create put on mountpoint: the topmost mount there, unless it is the one that
// was there before create (mount_before). nullopt: nothing of the container's is mounted there.
std::optional<int> container_rootfs_mount(const std::vector<MountInfo>& mounts, const std::string& mountpoint,
                                          int mount_before);

// What is on the rootfs now, in the caller's mount namespace (before the init is cloned).
SharedMountNs observe_shared_mount_ns(const std::string& rootfs);

// Detaches the container's rootfs bind, with everything mounted below it. Returns a warning when it cannot
// (this process is in another mount namespace than the container's); "" when done or nothing was there.
std::string release_shared_rootfs(const SharedMountNs& shared);

}  // namespace agentrt::runtime
