#include "oci/spec.hpp"

namespace agentrt::oci {

const char* to_string(NamespaceType t) {
  switch (t) {
    case NamespaceType::pid:
      return "pid";
    case NamespaceType::network:
      return "network";
    case NamespaceType::mount:
      return "mount";
    case NamespaceType::ipc:
      return "ipc";
    case NamespaceType::uts:
      return "uts";
    case NamespaceType::user:
      return "user";
    case NamespaceType::cgroup:
      return "cgroup";
    case NamespaceType::time:
      return "time";
  }
  return "unknown";
}

const char* to_string(SeccompAction a) {
  switch (a) {
    case SeccompAction::kill:
      return "SCMP_ACT_KILL";
    case SeccompAction::kill_process:
      return "SCMP_ACT_KILL_PROCESS";
    case SeccompAction::kill_thread:
      return "SCMP_ACT_KILL_THREAD";
    case SeccompAction::trap:
      return "SCMP_ACT_TRAP";
    case SeccompAction::errno_ret:
      return "SCMP_ACT_ERRNO";
    case SeccompAction::trace:
      return "SCMP_ACT_TRACE";
    case SeccompAction::allow:
      return "SCMP_ACT_ALLOW";
    case SeccompAction::log:
      return "SCMP_ACT_LOG";
    case SeccompAction::notify:
      return "SCMP_ACT_NOTIFY";
  }
  return "unknown";
}

const char* to_string(SeccompOp o) {
  switch (o) {
    case SeccompOp::not_equal:
      return "SCMP_CMP_NE";
    case SeccompOp::less_than:
      return "SCMP_CMP_LT";
    case SeccompOp::less_equal:
      return "SCMP_CMP_LE";
    case SeccompOp::equal_to:
      return "SCMP_CMP_EQ";
    case SeccompOp::greater_equal:
      return "SCMP_CMP_GE";
    case SeccompOp::greater_than:
      return "SCMP_CMP_GT";
    case SeccompOp::masked_equal:
      return "SCMP_CMP_MASKED_EQ";
  }
  return "unknown";
}

}  // namespace agentrt::oci
