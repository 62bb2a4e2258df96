#include "runtime/validate.hpp"

#include "oci/support/error.hpp"

namespace agentrt::runtime {
namespace {

bool starts_with(const std::string& s, const char* prefix) {
  return s.rfind(prefix, 0) == 0;
}

bool is_ipc_sysctl(const std::string& key) {
  static const char* const exact[] = {"kernel.msgmax", "kernel.msgmnb",         "kernel.msgmni",
                                      "kernel.sem",    "kernel.shmall",         "kernel.shmmax",
                                      "kernel.shmmni", "kernel.shm_rmid_forced"};
  for (const char* k : exact)
    if (key == k) return true;
  return starts_with(key, "fs.mqueue.");
}

}  // namespace

void validate_namespaced_settings(const oci::Spec& spec) {
  const oci::Linux& linux = *spec.linux;
  bool uts = linux.has_namespace(oci::NamespaceType::uts);
  if (!spec.hostname.empty() && !uts)
    throw Error("hostname: unable to set hostname without a private UTS namespace");
  if (!spec.domainname.empty() && !uts)
    throw Error("domainname: unable to set domainname without a private UTS namespace");
  for (const auto& [key, value] : linux.sysctl) {
    std::string field = "linux.sysctl[" + key + "]";
    if (is_ipc_sysctl(key)) {
      if (!linux.has_namespace(oci::NamespaceType::ipc))
        throw Error(field + ": not allowed without a private IPC namespace");
    } else if (starts_with(key, "net.")) {
      if (!linux.has_namespace(oci::NamespaceType::network))
        throw Error(field + ": not allowed in the host network namespace");
    } else if (key == "kernel.hostname" || key == "kernel.domainname") {
      if (!uts) throw Error(field + ": not allowed without a private UTS namespace");
    } else {
      throw Error(field + ": not in a separate kernel namespace");
    }
  }
}

}  // namespace agentrt::runtime
