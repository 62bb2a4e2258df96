#include "runtime/container_egress.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <sys/socket.h>

#include <cstring>

#include "cgroups/paths.hpp"
#include "oci/support/error.hpp"
#include "oci/support/fs.hpp"
#include "policy/egress_bpf.hpp"
#include "policy/egress_rules.hpp"
#include "policy/egress_stats.hpp"
#include "runtime/safe_path.hpp"

namespace agentrt::runtime {
namespace {

constexpr const char* kNamesNote =
    "host names resolved once at create with the host's resolver (/etc/hosts, /etc/resolv.conf); the "
    "addresses stay fixed for the container's life: a name whose addresses change needs a new container";

// The host's resolver: glibc's getaddrinfo (its files and dns modules are built into the static libc).
std::vector<policy::EgressAllow> resolve_host(const std::string& host) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  int rc = ::getaddrinfo(host.c_str(), nullptr, &hints, &found);
  if (rc != 0) throw Error("cannot resolve host " + host + ": " + ::gai_strerror(rc));
  std::vector<policy::EgressAllow> out;
  for (addrinfo* ai = found; ai; ai = ai->ai_next) {
    policy::EgressAllow a;
    a.family = ai->ai_family;
    if (ai->ai_family == AF_INET)
      std::memcpy(a.address.data(), &reinterpret_cast<sockaddr_in*>(ai->ai_addr)->sin_addr, 4);
    else if (ai->ai_family == AF_INET6)
      std::memcpy(a.address.data(), &reinterpret_cast<sockaddr_in6*>(ai->ai_addr)->sin6_addr, 16);
    else
      continue;
    bool seen = false;
    for (const auto& o : out) seen |= o.family == a.family && o.address == a.address;
    if (!seen) out.push_back(a);
  }
  ::freeaddrinfo(found);
  return out;
}

// The resolv.conf the container will see: a file bind-mounted on /etc/resolv.conf (as engines do), else
// the rootfs's own, looked up inside the rootfs. *where says which, for the record.
std::string container_resolv_conf(const oci::Spec& spec, const std::string& rootfs, std::string* where) {
  for (auto it = spec.mounts.rbegin(); it != spec.mounts.rend(); ++it)
    if (clean_path(it->destination) == "/etc/resolv.conf" && !it->source.empty() && it->source[0] == '/') {
      *where = it->source + " (mounted on /etc/resolv.conf)";
      return fs::read_file_if_exists(it->source).value_or("");
    }
  *where = "rootfs /etc/resolv.conf";
  UniqueFd root(::open(rootfs.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root) return "";
  int fd = try_open_in_root(root.get(), "/etc/resolv.conf", O_RDONLY);
  if (fd < 0) return "";
  UniqueFd file(fd);
  return fs::read_file_if_exists(fd_path(file.get())).value_or("");
}

}  // namespace

ContainerEgress plan_container_egress(const policy::Setting& egress, const oci::Spec& spec,
                                      const std::string& rootfs, bool own_netns) {
  ContainerEgress out;
  out.explicit_request = egress.explicit_request;
  out.source = egress.source;
  auto rules = policy::parse_egress(egress.values, egress.source);
  std::string resolv_where;
  std::vector<policy::EgressAllow> nameservers;
  bool wants_dns = false;
  for (const auto& r : rules) wants_dns |= r.kind == policy::EgressRule::Kind::dns;
  if (wants_dns) nameservers = policy::parse_nameservers(container_resolv_conf(spec, rootfs, &resolv_where));
  out.plan = policy::plan_egress(rules, nameservers, own_netns, resolve_host, egress.source);
  out.record = out.plan.to_json();
  out.record["egress"] = egress.values;
  out.record["egressSetBy"] = egress.source;
  if (!own_netns)
    out.record["loopbackNote"] = "the container shares a network namespace: its loopback is not exempt";
  if (wants_dns) out.record["nameserversFrom"] = resolv_where;
  for (const auto& r : rules)
    if (r.kind == policy::EgressRule::Kind::host) out.record["names"] = kNamesNote;
  return out;
}

std::string container_cgroup2_dir(const cgroups::Manager* cgroup) {
  if (!cgroup) return "";
  if (std::string dir = cgroup->clone_into_dir(); !dir.empty()) return dir;
  if (cgroup->layout() == cgroups::Layout::legacy) return "";
  cgroups::MountTable mounts = cgroups::read_mount_table();
  if (mounts.unified.empty() || mounts.unified_root != "/") return "";
  std::string dir = fs::join(mounts.unified, cgroup->path());
  return fs::exists(dir) ? dir : "";
}

void attach_container_egress(ContainerEgress& egress, const std::string& id, const cgroups::Manager* cgroup,
                             const std::function<void(const nlohmann::json& record)>& save_intent) {
  std::string dir = container_cgroup2_dir(cgroup);
  if (dir.empty()) {
    const char* why = "the container has no cgroup2 directory of its own to attach the egress filter to";
    if (egress.explicit_request) throw Error(egress.source + ": " + why);
    egress.record["enforced"] = false;
    egress.record["reason"] = why;
    save_intent(egress.record);
    return;
  }
  egress.record["cgroup2"] = dir;
  egress.record["statsMap"] = policy::egress_pin_path(id, dir);
  egress.record["enforced"] = true;
  save_intent(egress.record);  // a create killed from here on: delete finds the pin to remove
  try {
    auto result = policy::attach_egress(egress.plan, dir, egress.record["statsMap"]);
    if (!result.task_info)
      egress.record["denialsWithoutTask"] = "this kernel offers no pid/comm helpers here";
  } catch (const Error& e) {
    throw e.wrap(egress.source);
  }
  save_intent(egress.record);
}

nlohmann::json network_status(const nlohmann::json& agent_policy) {
  if (!agent_policy.is_object() || !agent_policy.contains("network")) return nullptr;
  nlohmann::json net = agent_policy.at("network");
  std::string pin = net.value("statsMap", "");
  if (pin.empty()) return net;
  try {
    policy::EgressStats stats = policy::read_egress_stats(pin);
    net["denied"] = stats.denied_total;
    nlohmann::json recent = nlohmann::json::array();
    for (const auto& d : stats.recent)
      recent.push_back({{"timeNs", d.time_ns},
                        {"pid", d.pid},
                        {"comm", d.comm},
                        {"destination", d.destination},
                        {"error", std::strerror(d.err)}});
    net["recentDenials"] = recent;
  } catch (const Error& e) {
    net["deniedUnavailable"] = e.what();
  }
  return net;
}

void remove_container_egress(const nlohmann::json& agent_policy) {
  if (!agent_policy.is_object() || !agent_policy.contains("network")) return;
  policy::remove_egress_pin(agent_policy.at("network").value("statsMap", ""));
}

}  // namespace agentrt::runtime
