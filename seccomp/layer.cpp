#include "seccomp/layer.hpp"

#include <algorithm>
#include <cerrno>
#include <map>
#include <set>

#include "seccomp/arch.hpp"
#include "seccomp/arg_set.hpp"
#include "seccomp/bpf_build.hpp"
#include "seccomp/ruleset.hpp"

namespace agentrt::seccomp {
namespace {

using oci::SeccompAction;
using oci::SeccompArg;

// Past this many rules for one call, a stacked floor is cheaper than the merge (libseccomp's build time grows
// steeply with many rules on one argument: minutes for a few hundred).
constexpr size_t kMaxMergedRules = 192;

// One engine rule for one syscall, its arguments split the way build_ruleset() splits them.
struct EngineRule {
  Action action;
  Conjunction args;
};

// The kernel's precedence among actions (include/uapi/linux/seccomp.h): lower is more restrictive.
int precedence(SeccompAction a) {
  switch (a) {
    case SeccompAction::kill_process:
      return 0;
    case SeccompAction::kill:
    case SeccompAction::kill_thread:
      return 1;
    case SeccompAction::trap:
      return 2;
    case SeccompAction::errno_ret:
      return 3;
    case SeccompAction::notify:
      return 4;
    case SeccompAction::trace:
      return 5;
    case SeccompAction::log:
      return 6;
    case SeccompAction::allow:
      return 7;
  }
  return 0;
}

// What the stacked filters answer: the floor is loaded last, so the kernel keeps its answer on a tie. A floor
// NOTIFY is an audited ERRNO (audit_floor()): it answers where the floor's ERRNO would, the supervisor then
// replying with that errno, so it ranks as ERRNO here (the kernel alone would let an engine ERRNO win).
Action stricter(const Action& engine, const Action& floor) {
  int floor_rank = precedence(floor.kind == SeccompAction::notify ? SeccompAction::errno_ret : floor.kind);
  return precedence(engine.kind) < floor_rank ? engine : floor;
}

bool lets_through(SeccompAction a) {
  return a == SeccompAction::allow || a == SeccompAction::log || a == SeccompAction::notify ||
         a == SeccompAction::trace;
}

// Mirrors build_bpf(): such a default needs no ENOSYS fallback for calls newer than the rules.
bool allows_unknown(const Action& a) {
  return a.kind == SeccompAction::allow || a.kind == SeccompAction::log ||
         (a.kind == SeccompAction::errno_ret && a.errno_ret == ENOSYS);
}

std::string describe(const Action& a) {
  std::string s = oci::to_string(a.kind);
  if (a.kind == SeccompAction::errno_ret) s += "(" + std::to_string(a.errno_ret) + ")";
  return s;
}

oci::SeccompSyscall entry(const std::string& name, const Action& a, Conjunction args = {}) {
  oci::SeccompSyscall s;
  s.names = {name};
  s.action = a.kind;
  if (a.kind == SeccompAction::errno_ret || a.kind == SeccompAction::trace) s.errno_ret = a.errno_ret;
  s.args = std::move(args);
  return s;
}

// Split as build_ruleset() does: repeated indexes make one rule per comparison (libseccomp takes one per
// argument), which the kernel then ORs.
std::vector<Conjunction> groups(const std::vector<SeccompArg>& args) {
  for (size_t i = 0; i < args.size(); ++i)
    for (size_t j = i + 1; j < args.size(); ++j)
      if (args[i].index == args[j].index) {
        std::vector<Conjunction> out;
        for (const auto& a : args) out.push_back({a});
        return out;
      }
  return {args};
}

// One floor syscall merged with the engine's rules for it into rules that never overlap with different
// actions, so libseccomp's choice among overlapping rules never matters.
struct SyscallMerge {
  const FloorRule& floor;
  const std::vector<EngineRule>& engine;
  Action engine_default;               // what the engine answers when none of its rules matches
  std::optional<Action> fall_through;  // what the merged program answers then; nullopt: nothing known
  std::vector<oci::SeccompSyscall>& out;
  std::string reason;

  bool fail(const std::string& why) {
    reason = floor.syscall + ": " + why;
    return false;
  }
  void emit(const Action& a, Conjunction args) {
    if (fall_through && a == *fall_through) return;
    out.push_back(entry(floor.syscall, a, std::move(args)));
  }
  bool emit_intersection(const Conjunction& region, const EngineRule& e, const Action& a) {
    std::optional<Conjunction> both;
    if (!intersect(region, e.args, both))
      return fail("a floor region and the engine's " + describe(e.action) +
                  " rule do not intersect to one comparison per argument");
    if (both) emit(a, *both);
    return true;
  }

  bool run() {
    for (const auto& e : engine)
      for (const auto& a : e.args)
        if (a.op != oci::SeccompOp::equal_to && a.op != oci::SeccompOp::not_equal &&
            a.op != oci::SeccompOp::masked_equal)
          // libseccomp 2.5.4 miscompiles ordered comparisons combined in several rules on one argument (the
          // differential test found GE 134217744 and GE 1 AND arg2 == 0 denying 21532): never recombine them.
          return fail("the engine compares argument " + std::to_string(a.index) +
                      " with an ordered operator, which libseccomp may miscompile once merged");
    for (size_t i = 0; i < engine.size(); ++i)
      for (size_t j = i + 1; j < engine.size(); ++j)
        if (!(engine[i].action == engine[j].action) && !provably_disjoint(engine[i].args, engine[j].args))
          return fail("the engine's " + describe(engine[i].action) + " and " + describe(engine[j].action) +
                      " rules may match the same call");
    Action deny = to_action(floor.action, floor.errno_ret);
    std::vector<Region> regions = floor.regions;
    if (regions.empty()) regions.push_back(Region{{}, false});
    for (const auto& region : regions)
      if (!(region.allow ? allowed(region.args) : denied(region.args, deny))) return false;
    return true;
  }

  // Inside an allowed region the engine decides alone.
  bool allowed(const Conjunction& region) {
    for (const auto& e : engine)
      if (!(fall_through && e.action == *fall_through) && !emit_intersection(region, e, e.action))
        return false;
    if (!fall_through || !(engine_default == *fall_through)) {
      if (!engine.empty()) return fail("the engine's default differs from the merged program's");
      emit(engine_default, region);
    }
    return true;
  }

  // Inside a denied region the stricter of the engine's answer and the floor's.
  bool denied(const Conjunction& region, const Action& deny) {
    Action outside = stricter(engine_default, deny);  // where no engine rule matches
    std::vector<const EngineRule*> differing;
    for (const auto& e : engine)
      if (!(stricter(e.action, deny) == outside) && !provably_disjoint(region, e.args))
        differing.push_back(&e);
    if (differing.empty()) {
      emit(outside, region);
      return true;
    }
    if (!fall_through || !(outside == *fall_through))
      return fail("inside a denied region the engine's rules answer " + describe(differing.front()->action) +
                  " and its default " + describe(engine_default));
    for (const auto* e : differing)
      if (!emit_intersection(region, *e, stricter(e->action, deny))) return false;
    return true;
  }
};

// The highest native syscall number the request names (build_bpf's ENOSYS fallback starts above it).
int highest_named(const std::vector<oci::SeccompSyscall>& rules) {
  int highest = -1;
  for (const auto& sc : rules)
    for (const auto& name : sc.names)
      if (auto nr = native_syscall_number(name)) highest = std::max(highest, *nr);
  return highest;
}

std::string join(const std::set<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : " ") + n;
  return out;
}

void describe_floor(const AgentProfile& profile, std::vector<std::string>& changes) {
  std::set<std::string> denied, restricted;
  for (const auto& f : profile.floor) (f.regions.empty() ? denied : restricted).insert(f.syscall);
  for (const auto& name : restricted) denied.erase(name);
  if (!denied.empty()) changes.push_back("seccomp: " + profile.name + " denies " + join(denied));
  if (!restricted.empty())
    changes.push_back("seccomp: " + profile.name + " restricts arguments of " + join(restricted));
}

// The merged program, or nullopt with `reason` set when some part cannot be merged exactly.
std::optional<oci::Seccomp> merge(const oci::Seccomp& engine, const AgentProfile& profile,
                                  std::string& reason) {
  std::set<std::string> controlled;
  for (const auto& f : profile.floor) {
    if (!controlled.insert(f.syscall).second) {
      reason = f.syscall + ": the floor names it twice";
      return std::nullopt;
    }
  }
  Action engine_default = to_action(engine.default_action, engine.default_errno_ret);
  std::map<std::string, std::vector<EngineRule>> engine_rules;
  std::set<std::string> engine_named;
  oci::Seccomp out = engine;
  out.syscalls.clear();
  for (const auto& sc : engine.syscalls) {
    oci::SeccompSyscall rest = sc;
    rest.names.clear();
    for (const auto& name : sc.names) {
      if (!controlled.count(name)) {
        rest.names.push_back(name);
        continue;
      }
      engine_named.insert(name);
      // build_bpf never adds a rule equal to the default action: it has no effect.
      Action action = to_action(sc.action, sc.errno_ret);
      if (action == engine_default) continue;
      for (auto& g : groups(sc.args)) engine_rules[name].push_back(EngineRule{action, g});
    }
    if (!rest.names.empty()) out.syscalls.push_back(std::move(rest));
  }

  // libseccomp keeps the first of several unconditional rules for a call (build_bpf warns about the rest).
  for (auto& [name, rules] : engine_rules)
    if (std::all_of(rules.begin(), rules.end(), [](const EngineRule& r) { return r.args.empty(); }))
      rules.resize(1);

  int engine_highest = highest_named(engine.syscalls);
  bool enosys_fallback = !allows_unknown(engine_default);
  int merged_highest = engine_highest;
  std::set<int> floor_numbers;
  std::vector<oci::SeccompSyscall> floor_rules;
  for (const auto& f : profile.floor) {
    auto nr = native_syscall_number(f.syscall);
    if (!nr) continue;  // the native architecture has no such call
    floor_numbers.insert(*nr);
    // Above the engine's highest named call, the engine's own program answers ENOSYS and names nothing.
    bool above = enosys_fallback && *nr > engine_highest && *nr <= kEnosysCeiling;
    SyscallMerge m{f,
                   engine_rules[f.syscall],
                   above ? Action{SeccompAction::errno_ret, ENOSYS} : engine_default,
                   above ? std::nullopt : std::optional<Action>(engine_default),
                   floor_rules,
                   {}};
    size_t before = floor_rules.size();
    if (!m.run()) {
      reason = m.reason;
      return std::nullopt;
    }
    if (floor_rules.size() - before > kMaxMergedRules) {
      reason = f.syscall + ": the merge needs " + std::to_string(floor_rules.size() - before) + " rules";
      return std::nullopt;
    }
    if (floor_rules.size() > before) merged_highest = std::max(merged_highest, *nr);
    // Still named (a rule equal to the default, which build_bpf names but does not add), so the ENOSYS
    // fallback starts where the engine's did.
    else if (engine_named.count(f.syscall))
      floor_rules.push_back(entry(f.syscall, engine_default));
  }
  // Naming floor calls above the engine's highest moves the ENOSYS fallback up: the calls in between keep
  // ENOSYS by name.
  if (enosys_fallback)
    for (int nr = engine_highest + 1; nr <= merged_highest; ++nr) {
      if (floor_numbers.count(nr)) continue;
      auto name = native_syscall_name(nr);
      if (!name) {
        reason = "syscall number " + std::to_string(nr) +
                 " has no name and lies between the engine's highest named call and the floor's";
        return std::nullopt;
      }
      floor_rules.push_back(entry(*name, Action{SeccompAction::errno_ret, ENOSYS}));
    }
  out.syscalls.insert(out.syscalls.begin(), floor_rules.begin(), floor_rules.end());
  return out;
}

}  // namespace

bool arg_matches(const SeccompArg& a, uint64_t v) {
  switch (a.op) {
    case oci::SeccompOp::not_equal:
      return v != a.value;
    case oci::SeccompOp::less_than:
      return v < a.value;
    case oci::SeccompOp::less_equal:
      return v <= a.value;
    case oci::SeccompOp::equal_to:
      return v == a.value;
    case oci::SeccompOp::greater_equal:
      return v >= a.value;
    case oci::SeccompOp::greater_than:
      return v > a.value;
    case oci::SeccompOp::masked_equal:
      return (v & a.value) == (a.value_two & a.value);  // as libseccomp compiles it
  }
  return false;
}

AgentProfile audit_floor(const AgentProfile& profile) {
  AgentProfile out = profile;
  for (auto& f : out.floor)
    if (f.action == SeccompAction::errno_ret)
      f.action = SeccompAction::notify;  // errno_ret kept for the reply
  return out;
}

oci::Seccomp floor_filter(const AgentProfile& profile) {
  oci::Seccomp out;
  out.default_action = SeccompAction::allow;
  out.architectures = {native_arch_name()};
  for (const auto& f : profile.floor) {
    Action deny = to_action(f.action, f.errno_ret);
    if (f.regions.empty()) out.syscalls.push_back(entry(f.syscall, deny));
    for (const auto& region : f.regions)
      if (!region.allow) out.syscalls.push_back(entry(f.syscall, deny, region.args));
  }
  return out;
}

Layering layer_floor(const oci::Seccomp& request, const AgentProfile& profile,
                     std::vector<std::string>& changes) {
  // Native architecture only: a 32-bit syscall table (int 0x80) would bypass argument rules written for the
  // 64-bit numbers, and the filter kills foreign-ABI calls outright.
  oci::Seccomp engine = request;
  std::vector<std::string> native{native_arch_name()};
  if (engine.architectures != native) {
    changes.push_back("seccomp: architectures set to " + native.front() + " only");
    engine.architectures = native;
  }
  describe_floor(profile, changes);

  Layering out;
  if (auto merged = merge(engine, profile, out.stacked_reason)) {
    std::set<std::string> controlled;
    for (const auto& f : profile.floor) controlled.insert(f.syscall);
    for (const auto& sc : engine.syscalls)
      for (const auto& name : sc.names)
        if (controlled.count(name) && lets_through(sc.action))
          changes.push_back("seccomp: replaced the spec's " + std::string(oci::to_string(sc.action)) +
                            " rule for " + name + " with its merge with the " + profile.name + " floor");
    out.filter = std::move(*merged);
    return out;
  }
  changes.push_back("seccomp: the " + profile.name + " floor is a second, stacked filter (" +
                    out.stacked_reason + ")");
  out.filter = std::move(engine);
  out.floor_filter = floor_filter(profile);
  // Flags such as SPEC_ALLOW and LOG apply per filter: the floor keeps what the engine asked for.
  out.floor_filter->flags = out.filter.flags;
  return out;
}

}  // namespace agentrt::seccomp
