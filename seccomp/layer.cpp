#include "seccomp/layer.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "seccomp/arch.hpp"

namespace agentrt::seccomp {
namespace {

using oci::SeccompAction;
using oci::SeccompArg;
using oci::SeccompOp;

// Actions that may let the call run (the supervisor or tracer decides for NOTIFY and TRACE).
bool lets_through(SeccompAction a) {
  return a == SeccompAction::allow || a == SeccompAction::log || a == SeccompAction::notify ||
         a == SeccompAction::trace;
}

bool same_arg(const SeccompArg& a, const SeccompArg& b) {
  return a.index == b.index && a.op == b.op && a.value == b.value && a.value_two == b.value_two;
}

// The request rule's argument groups, split as build_ruleset() will split them.
std::vector<std::vector<SeccompArg>> groups(const std::vector<SeccompArg>& args) {
  for (size_t i = 0; i < args.size(); ++i)
    for (size_t j = i + 1; j < args.size(); ++j)
      if (args[i].index == args[j].index) {
        std::vector<std::vector<SeccompArg>> out;
        for (const auto& a : args) out.push_back({a});
        return out;
      }
  return {args};
}

// region AND request-group, or nullopt when provably empty or not expressible exactly. Only exact cases
// are kept, so an allowed region never grows past what the request allowed.
std::optional<std::vector<SeccompArg>> intersect(const std::vector<SeccompArg>& region,
                                                 const std::vector<SeccompArg>& group) {
  std::vector<SeccompArg> out = region;
  for (const auto& c : group) {
    auto same_index =
        std::find_if(region.begin(), region.end(), [&](const SeccompArg& r) { return r.index == c.index; });
    if (same_index == region.end()) {
      out.push_back(c);
      continue;
    }
    if (same_arg(*same_index, c)) continue;
    if (same_index->op != SeccompOp::equal_to || !arg_matches(c, same_index->value)) return std::nullopt;
  }
  return out;
}

oci::SeccompSyscall entry(const std::string& name, SeccompAction a, std::optional<uint32_t> err,
                          std::vector<SeccompArg> args = {}) {
  oci::SeccompSyscall s;
  s.names = {name};
  s.action = a;
  s.errno_ret = err;
  s.args = std::move(args);
  return s;
}

}  // namespace

bool arg_matches(const SeccompArg& a, uint64_t v) {
  switch (a.op) {
    case SeccompOp::not_equal:
      return v != a.value;
    case SeccompOp::less_than:
      return v < a.value;
    case SeccompOp::less_equal:
      return v <= a.value;
    case SeccompOp::equal_to:
      return v == a.value;
    case SeccompOp::greater_equal:
      return v >= a.value;
    case SeccompOp::greater_than:
      return v > a.value;
    case SeccompOp::masked_equal:
      return (v & a.value) == a.value_two;
  }
  return false;
}

oci::Seccomp layer_floor(const oci::Seccomp& request, const AgentProfile& profile,
                         std::vector<std::string>& changes) {
  std::set<std::string> controlled;
  for (const auto& f : profile.floor) controlled.insert(f.syscall);

  // Split the request: rules for floor syscalls that let calls through are set aside for intersection.
  std::map<std::string, std::vector<const oci::SeccompSyscall*>> request_allows;
  std::vector<oci::SeccompSyscall> kept;
  for (const auto& sc : request.syscalls) {
    oci::SeccompSyscall rest = sc;
    rest.names.clear();
    for (const auto& name : sc.names) {
      if (controlled.count(name) && lets_through(sc.action)) {
        request_allows[name].push_back(&sc);
        changes.push_back("seccomp: replaced the spec's " + std::string(oci::to_string(sc.action)) +
                          " rule for " + name + " with the " + profile.name + " floor");
      } else {
        rest.names.push_back(name);
      }
    }
    if (!rest.names.empty()) kept.push_back(std::move(rest));
  }

  oci::Seccomp out = request;
  out.syscalls.clear();
  for (const auto& f : profile.floor) {
    if (f.regions.empty()) {
      out.syscalls.push_back(entry(f.syscall, f.action, f.errno_ret));
      continue;
    }
    const auto& allows = request_allows[f.syscall];
    for (const auto& region : f.regions) {
      if (!region.allow) {
        out.syscalls.push_back(entry(f.syscall, f.action, f.errno_ret, region.args));
        continue;
      }
      // An allowed region is allowed only as far as the request allowed it; with no request rule for the
      // call the request's default decides, which the region then simply falls through to.
      for (const auto* r : allows)
        for (const auto& g : groups(r->args))
          if (auto args = intersect(region.args, g))
            out.syscalls.push_back(entry(f.syscall, r->action, r->errno_ret, *args));
    }
  }
  std::map<std::string, bool> by_argument;
  for (const auto& f : profile.floor) by_argument[f.syscall] = by_argument[f.syscall] || !f.regions.empty();
  std::string denied, restricted;
  for (const auto& [name, args] : by_argument) (args ? restricted : denied) += (name + " ");
  if (!denied.empty())
    changes.push_back("seccomp: " + profile.name + " denies " + denied.substr(0, denied.size() - 1));
  if (!restricted.empty())
    changes.push_back("seccomp: " + profile.name + " restricts arguments of " +
                      restricted.substr(0, restricted.size() - 1));
  out.syscalls.insert(out.syscalls.end(), kept.begin(), kept.end());

  // Native architecture only: a 32-bit syscall table (int 0x80) would bypass argument rules written for the
  // 64-bit numbers, and the filter kills foreign-ABI calls outright.
  std::vector<std::string> native{native_arch_name()};
  if (out.architectures != native) {
    changes.push_back("seccomp: architectures set to " + native.front() + " only");
    out.architectures = native;
  }
  return out;
}

}  // namespace agentrt::seccomp
