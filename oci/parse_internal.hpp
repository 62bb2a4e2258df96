#pragma once
// Internal to the oci module: the section parsers parse_spec() is assembled from, one file each.
#include <vector>

#include "oci/json_node.hpp"
#include "oci/spec.hpp"

namespace agentrt::oci::detail {

Process parse_process(const Node& n);
Linux parse_linux(const Node& n);
Resources parse_resources(const Node& n);
Seccomp parse_seccomp(const Node& n);
Hooks parse_hooks(const Node& n);
std::vector<Mount> parse_mounts(const Node& n);
std::vector<IdMapping> parse_id_mappings(const Node& n);
// hostname and domainname: at most the kernel's 64 bytes (HOST_NAME_MAX, __NEW_UTS_LEN), no NUL byte.
std::string uts_name(const Node& n);
// A string the kernel takes as a C string (env entries, args): a NUL byte would silently truncate it.
std::string c_string(const Node& n);

}  // namespace agentrt::oci::detail
