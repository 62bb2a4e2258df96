#include "runtime/features.hpp"

#include <seccomp.h>
#include <sys/capability.h>

#include "oci/parse.hpp"

namespace agentrt::runtime {
namespace {

nlohmann::json all_capabilities() {
  nlohmann::json caps = nlohmann::json::array();
  for (int cap = 0; cap <= CAP_LAST_CAP; ++cap) {
    std::string name = oci::capability_name(cap);
    if (!name.empty()) caps.push_back(name);
  }
  return caps;
}

std::string libseccomp_version() {
  const scmp_version* v = seccomp_version();
  return std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->micro);
}

}  // namespace

nlohmann::json features_json() {
  // Each list is what the code below runtime/ accepts; tests/unit/runtime/features_test.cpp checks them
  // against the parsers so this document cannot drift from the binary.
  return {
      {"ociVersionMin", "1.0.0"},
      {"ociVersionMax", "1.2.0"},
      {"hooks", {"prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"}},
      {"mountOptions",
       {"async",    "atime",        "bind",          "defaults",    "dev",         "diratime",
        "dirsync",  "exec",         "iversion",      "lazytime",    "loud",        "mand",
        "noatime",  "nodev",        "nodiratime",    "noexec",      "noiversion",  "nolazytime",
        "nomand",   "norelatime",   "nostrictatime", "nosuid",      "nosymfollow", "private",
        "rbind",    "rdev",         "rdiratime",     "relatime",    "remount",     "rexec",
        "rnoatime", "rnodev",       "rnodiratime",   "rnoexec",     "rnosuid",     "rnosymfollow",
        "ro",       "rprivate",     "rrelatime",     "rro",         "rrw",         "rshared",
        "rslave",   "rstrictatime", "rsuid",         "rsymfollow",  "runbindable", "rw",
        "shared",   "silent",       "slave",         "strictatime", "suid",        "symfollow",
        "sync",     "unbindable"}},
      {"linux",
       {{"namespaces", {"cgroup", "ipc", "mount", "network", "pid", "time", "user", "uts"}},
        {"capabilities", all_capabilities()},
        {"cgroup", {{"v1", true}, {"v2", true}, {"systemd", true}, {"systemdUser", false}, {"rdma", true}}},
        {"seccomp",
         {{"enabled", true},
          {"actions",
           {"SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS",
            "SCMP_ACT_KILL_THREAD", "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY", "SCMP_ACT_TRACE", "SCMP_ACT_TRAP"}},
          {"operators",
           {"SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_LE", "SCMP_CMP_LT", "SCMP_CMP_MASKED_EQ",
            "SCMP_CMP_NE"}},
          {"archs",
           {"SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM", "SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64", "SCMP_ARCH_MIPS64N32",
            "SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PARISC",
            "SCMP_ARCH_PARISC64", "SCMP_ARCH_PPC", "SCMP_ARCH_PPC64", "SCMP_ARCH_PPC64LE",
            "SCMP_ARCH_RISCV64", "SCMP_ARCH_S390", "SCMP_ARCH_S390X", "SCMP_ARCH_X32", "SCMP_ARCH_X86",
            "SCMP_ARCH_X86_64"}},
          {"knownFlags",
           {"SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
            "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"}},
          {"supportedFlags",
           {"SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
            "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"}}}},
        {"apparmor", {{"enabled", false}}},
        {"selinux", {{"enabled", false}}},
        {"intelRdt", {{"enabled", false}}},
        {"mountExtensions", {{"idmap", {{"enabled", false}}}}}}},
      {"annotations",
       {{"io.github.seccomp.libseccomp.version", libseccomp_version()},
        {"run.agentrt.profile", "agent-default|agent-locked|agent-dev|agent-nested|off"},
        {"run.agentrt.fs.write", "comma-separated container paths writable (Landlock), or none"},
        {"run.agentrt.fs.read", "comma-separated container paths readable (Landlock)"},
        {"run.agentrt.net.egress", "CIDR, CIDR:port, CIDR:lo-hi, [IPv6-CIDR]:port, host:port, dns or none"},
        {"run.agentrt.audit", "true|false: record the calls the agent policy denies (agentrt audit ID)"},
        // Runs as an unprivileged user (tests/integration/rootless): id maps through newuidmap/newgidmap;
        // resource limits only in a delegated cgroup v2 subtree, else no cgroup and limits are refused.
        {"run.agentrt.rootless", "true"},
        {"run.agentrt.rootless.cgroups", "delegated-v2"}}},
  };
}

}  // namespace agentrt::runtime
