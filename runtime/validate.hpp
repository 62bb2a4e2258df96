#pragma once
#include "oci/spec.hpp"

namespace agentrt::runtime {

// Settings that only make sense in a namespace of the container's own, checked before anything is created so
// they can never change the host: hostname/domainname need a UTS namespace; sysctls must be namespaced
// (net.* in a network namespace, IPC ones in an IPC namespace), as runc enforces.
void validate_namespaced_settings(const oci::Spec& spec);

}  // namespace agentrt::runtime
