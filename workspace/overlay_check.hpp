#pragma once
// Whether overlayfs takes a workspace's layers before the container is made. The kernel's refusals (a host
// directory on an overlay already stacked as deep as the kernel allows, a filesystem overlayfs cannot use as
// a layer) would otherwise surface as a bare EINVAL from the init's mount, with the reason only in the
// kernel log.
#include "oci/spec.hpp"

namespace agentrt::workspace {

// Builds the overlay's superblock from the mount's key=value options through the new mount API (fsopen,
// fsconfig) without attaching it anywhere, so there is nothing to unmount afterwards. Throws naming the
// destination and the host directory, with the kernel's own message when it gave one. Does nothing on a
// kernel without fsopen (the init's mount reports the failure there).
void check_overlay(const oci::Mount& overlay, const std::string& host_dir);

}  // namespace agentrt::workspace
