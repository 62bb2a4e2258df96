#include "oci/support/error.hpp"
#include "runtime/shared_mount_ns.hpp"

namespace agentrt::runtime {

nlohmann::json to_json(const SharedMountNs& shared) {
  return {{"mount_ns", shared.mount_ns}, {"rootfs", shared.rootfs}, {"mount_before", shared.mount_before}};
}

std::optional<SharedMountNs> shared_mount_ns_from_json(const nlohmann::json& j) {
  if (!j.is_object()) return std::nullopt;
  SharedMountNs shared;
  shared.mount_ns = j.value("mount_ns", uint64_t{0});
  shared.rootfs = j.value("rootfs", "");
  shared.mount_before = j.value("mount_before", 0);
  return shared;
}

void validate_shared_mount_ns(const oci::Spec& spec, policy::Profile profile) {
  if (profile != policy::Profile::off)
    throw Error(std::string("linux.namespaces: a mount namespace is required under profile ") +
                policy::to_string(profile) +
                ": an agent must not share the host's mount table (only profile off runs a container in the "
                "caller's mount namespace, as runc does)");
  const oci::Linux& linux = *spec.linux;
  if (!linux.masked_paths.empty() || !linux.readonly_paths.empty())
    throw Error(std::string(linux.masked_paths.empty() ? "linux.readonlyPaths" : "linux.maskedPaths") +
                ": unable to restrict sys entries without a private MNT namespace");
  if (!linux.rootfs_propagation.empty())
    throw Error(
        "linux.rootfsPropagation: not allowed without a private mount namespace (it would change "
        "the caller's mounts)");
}

std::optional<int> container_rootfs_mount(const std::vector<MountInfo>& mounts, const std::string& mountpoint,
                                          int mount_before) {
  // Stacked mounts at one path: the one on top is the parent of none of the others.
  const MountInfo* top = nullptr;
  for (const auto& m : mounts) {
    if (m.mountpoint != mountpoint) continue;
    bool covered = false;
    for (const auto& other : mounts)
      covered = covered || (other.mountpoint == mountpoint && other.parent == m.id);
    if (!covered) top = &m;
  }
  if (!top || top->id == mount_before) return std::nullopt;
  return top->id;
}

}  // namespace agentrt::runtime
