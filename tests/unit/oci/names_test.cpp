// Name tables: capabilities (libcap), rlimits, namespace types, seccomp actions and ops.
#include <linux/capability.h>
#include <sys/resource.h>

#include <catch2/catch.hpp>

#include "oci/parse.hpp"

using namespace agentrt::oci;

TEST_CASE("capability names round-trip through libcap", "[names][caps]") {
  CHECK(capability_from_name("CAP_CHOWN") == CAP_CHOWN);
  CHECK(capability_from_name("CAP_SYS_ADMIN") == CAP_SYS_ADMIN);
  CHECK(capability_from_name("CAP_NET_BIND_SERVICE") == CAP_NET_BIND_SERVICE);
  CHECK(capability_from_name("CAP_CHECKPOINT_RESTORE") == 40);
  CHECK(capability_name(CAP_SYS_PTRACE) == "CAP_SYS_PTRACE");
  CHECK(capability_name(CAP_AUDIT_WRITE) == "CAP_AUDIT_WRITE");
  for (int cap = 0; cap <= CAP_LAST_CAP; ++cap) {
    std::string name = capability_name(cap);
    INFO(cap);
    REQUIRE(name.rfind("CAP_", 0) == 0);
    CHECK(capability_from_name(name) == cap);
  }
}

TEST_CASE("capability names are taken only as the spec writes them", "[names][caps]") {
  CHECK_FALSE(capability_from_name("CAP_FOO"));
  CHECK_FALSE(capability_from_name("cap_chown"));
  CHECK_FALSE(capability_from_name("CHOWN"));
  CHECK_FALSE(capability_from_name("CAP_Sys_Admin"));
  CHECK_FALSE(capability_from_name("12"));
  CHECK_FALSE(capability_from_name(""));
  CHECK(capability_name(-1).empty());
  CHECK(capability_name(1000).empty());
}

TEST_CASE("every RLIMIT_* name maps to its resource", "[names][rlimits]") {
  const std::vector<std::pair<const char*, int>> all{{"RLIMIT_AS", RLIMIT_AS},
                                                     {"RLIMIT_CORE", RLIMIT_CORE},
                                                     {"RLIMIT_CPU", RLIMIT_CPU},
                                                     {"RLIMIT_DATA", RLIMIT_DATA},
                                                     {"RLIMIT_FSIZE", RLIMIT_FSIZE},
                                                     {"RLIMIT_LOCKS", RLIMIT_LOCKS},
                                                     {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},
                                                     {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
                                                     {"RLIMIT_NICE", RLIMIT_NICE},
                                                     {"RLIMIT_NOFILE", RLIMIT_NOFILE},
                                                     {"RLIMIT_NPROC", RLIMIT_NPROC},
                                                     {"RLIMIT_RSS", RLIMIT_RSS},
                                                     {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},
                                                     {"RLIMIT_RTTIME", RLIMIT_RTTIME},
                                                     {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
                                                     {"RLIMIT_STACK", RLIMIT_STACK}};
  REQUIRE(all.size() == RLIMIT_NLIMITS);
  for (const auto& [name, resource] : all) CHECK(rlimit_from_name(name) == resource);
  CHECK_FALSE(rlimit_from_name("RLIMIT_FOO"));
  CHECK_FALSE(rlimit_from_name("NOFILE"));
  CHECK_FALSE(rlimit_from_name("rlimit_nofile"));
}

TEST_CASE("namespace, action and op names are the inverse of to_string", "[names]") {
  for (auto t : {NamespaceType::pid, NamespaceType::network, NamespaceType::mount, NamespaceType::ipc,
                 NamespaceType::uts, NamespaceType::user, NamespaceType::cgroup, NamespaceType::time})
    CHECK(namespace_type_from_name(to_string(t)) == t);
  CHECK(namespace_type_from_name("net") == std::nullopt);
  CHECK(seccomp_action_from_name("SCMP_ACT_KILL_PROCESS") == SeccompAction::kill_process);
  CHECK(seccomp_action_from_name("SCMP_ACT_ERRNO") == SeccompAction::errno_ret);
  CHECK(seccomp_action_from_name("allow") == std::nullopt);
  CHECK(seccomp_op_from_name("SCMP_CMP_GE") == SeccompOp::greater_equal);
  CHECK(seccomp_op_from_name("SCMP_CMP_MASKED_EQ") == SeccompOp::masked_equal);
  CHECK(seccomp_op_from_name("==") == std::nullopt);
}
