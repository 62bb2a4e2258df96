#include <array>

#include "oci/parse.hpp"

namespace agentrt::oci {
namespace {

// Looks a name up among the to_string() names of every enumerator in `all`.
template <typename E, size_t N>
std::optional<E> from_name(const std::string& name, const std::array<E, N>& all) {
  for (E e : all)
    if (name == to_string(e)) return e;
  return std::nullopt;
}

}  // namespace

std::optional<NamespaceType> namespace_type_from_name(const std::string& name) {
  using T = NamespaceType;
  static constexpr std::array kAll{T::pid, T::network, T::mount, T::ipc, T::uts, T::user, T::cgroup, T::time};
  return from_name(name, kAll);
}

std::optional<SeccompAction> seccomp_action_from_name(const std::string& name) {
  using A = SeccompAction;
  static constexpr std::array kAll{A::kill,  A::kill_process, A::kill_thread, A::trap,  A::errno_ret,
                                   A::trace, A::allow,        A::log,         A::notify};
  return from_name(name, kAll);
}

std::optional<SeccompOp> seccomp_op_from_name(const std::string& name) {
  using O = SeccompOp;
  static constexpr std::array kAll{O::not_equal,     O::less_than,    O::less_equal,  O::equal_to,
                                   O::greater_equal, O::greater_than, O::masked_equal};
  return from_name(name, kAll);
}

}  // namespace agentrt::oci
