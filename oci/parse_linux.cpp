// linux (everything but resources and seccomp, which have their own files).
#include <array>
#include <set>
#include <utility>

#include "oci/parse_internal.hpp"

namespace agentrt::oci::detail {
namespace {

std::vector<Namespace> parse_namespaces(const Node& n) {
  std::vector<Namespace> out;
  std::set<NamespaceType> seen;
  for (const Node& item : n.items()) {
    Node type = item.object()["type"];
    std::string name = type.required().str();
    auto t = namespace_type_from_name(name);
    if (!t) type.fail("unknown namespace type \"" + name + "\"");
    if (!seen.insert(*t).second) type.fail("duplicate namespace type \"" + name + "\"");
    Namespace ns{*t, item["path"].str_or("")};
    if (!ns.path.empty() && !is_absolute(ns.path))
      item["path"].fail("must be an absolute path, got \"" + ns.path + "\"");
    out.push_back(std::move(ns));
  }
  return out;
}

std::map<std::string, TimeOffset> parse_time_offsets(const Node& n) {
  std::map<std::string, TimeOffset> out;
  for (const auto& [clock, value] : n.members()) {
    if (clock != "monotonic" && clock != "boottime") value.fail("unknown clock \"" + clock + "\"");
    value.object();
    out[clock] = TimeOffset{value["secs"].opt_int<int64_t>().value_or(0),
                            value["nanosecs"].opt_int<uint32_t>().value_or(0)};
  }
  return out;
}

std::vector<Device> parse_devices(const Node& n) {
  std::vector<Device> out;
  for (const Node& item : n.items()) {
    Device d;
    Node path = item.object()["path"];
    d.path = path.required().str();
    if (!is_absolute(d.path)) path.fail("must be an absolute path, got \"" + d.path + "\"");
    Node type = item["type"];
    std::string t = type.required().str();
    if (t != "c" && t != "b" && t != "u" && t != "p")
      type.fail("unknown device type \"" + t + "\", expected one of c, b, u, p");
    d.type = t[0];
    if (d.type == 'p') {
      d.major = item["major"].opt_int<int64_t>().value_or(0);
      d.minor = item["minor"].opt_int<int64_t>().value_or(0);
    } else {
      d.major = item["major"].required().integer<int64_t>();
      d.minor = item["minor"].required().integer<int64_t>();
    }
    d.file_mode = item["fileMode"].opt_int<uint32_t>();
    d.uid = item["uid"].opt_int<uint32_t>();
    d.gid = item["gid"].opt_int<uint32_t>();
    out.push_back(std::move(d));
  }
  return out;
}

std::string parse_rootfs_propagation(const Node& n) {
  // runc takes both the plain and the recursive forms.
  static constexpr std::array<const char*, 8> kModes{"shared",  "rshared",  "slave",      "rslave",
                                                     "private", "rprivate", "unbindable", "runbindable"};
  std::string mode = n.str_or("");
  if (mode.empty()) return mode;
  for (const char* m : kModes)
    if (mode == m) return mode;
  n.fail(
      "unknown propagation \"" + mode +
      "\", expected one of shared, slave, private, unbindable (or rshared, rslave, rprivate, runbindable)");
}

Personality parse_personality(const Node& n) {
  Personality p;
  Node domain = n.object()["domain"];
  p.domain = domain.required().str();
  if (p.domain != "LINUX" && p.domain != "LINUX32") domain.fail("unknown domain \"" + p.domain + "\"");
  p.flags = n["flags"].str_list();
  return p;
}

// Mappings only make sense with a user namespace, and a new user namespace cannot work without them.
void check_user_namespace(const Node& n, const Linux& l) {
  const Namespace* user = l.find_namespace(NamespaceType::user);
  const std::pair<const char*, bool> mappings[] = {{"uidMappings", !l.uid_mappings.empty()},
                                                   {"gidMappings", !l.gid_mappings.empty()}};
  for (const auto& [key, present] : mappings) {
    if (user == nullptr && present)
      n[key].fail("user namespace mappings specified, but linux.namespaces has no user namespace");
    if (user != nullptr && user->path.empty() && !present)
      n[key].fail("required when creating a user namespace");
  }
}

}  // namespace

std::vector<IdMapping> parse_id_mappings(const Node& n) {
  std::vector<IdMapping> out;
  for (const Node& item : n.items()) {
    item.object();
    out.push_back(IdMapping{item["containerID"].required().integer<uint32_t>(),
                            item["hostID"].required().integer<uint32_t>(),
                            item["size"].required().integer<uint32_t>()});
  }
  return out;
}

Linux parse_linux(const Node& n) {
  n.object();
  Linux l;
  l.namespaces = parse_namespaces(n["namespaces"]);
  l.uid_mappings = parse_id_mappings(n["uidMappings"]);
  l.gid_mappings = parse_id_mappings(n["gidMappings"]);
  check_user_namespace(n, l);
  l.time_offsets = parse_time_offsets(n["timeOffsets"]);
  l.devices = parse_devices(n["devices"]);
  l.cgroups_path = n["cgroupsPath"].str_or("");
  if (Node r = n["resources"]; r.present()) l.resources = parse_resources(r);
  l.rootfs_propagation = parse_rootfs_propagation(n["rootfsPropagation"]);
  l.masked_paths = n["maskedPaths"].str_list();
  l.readonly_paths = n["readonlyPaths"].str_list();
  l.sysctl = n["sysctl"].str_map();
  if (Node s = n["seccomp"]; s.present()) l.seccomp = parse_seccomp(s);
  l.mount_label = n["mountLabel"].str_or("");
  if (Node p = n["personality"]; p.present()) l.personality = parse_personality(p);
  return l;
}

}  // namespace agentrt::oci::detail
