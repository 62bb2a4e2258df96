// mounts
#include "oci/parse_internal.hpp"

namespace agentrt::oci::detail {

std::vector<Mount> parse_mounts(const Node& n) {
  std::vector<Mount> out;
  for (const Node& item : n.items()) {
    Mount m;
    // Relative destinations are taken as relative to the rootfs, as runc does.
    m.destination = item.object()["destination"].required().str();
    if (m.destination.empty()) item["destination"].fail("must not be empty");
    m.type = item["type"].str_or("");
    m.source = item["source"].str_or("");
    m.options = item["options"].str_list();
    m.uid_mappings = parse_id_mappings(item["uidMappings"]);
    m.gid_mappings = parse_id_mappings(item["gidMappings"]);
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace agentrt::oci::detail
