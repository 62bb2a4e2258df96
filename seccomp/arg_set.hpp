#pragma once
// The set of 64-bit argument values one seccomp comparison accepts, and the exact intersection of two such
// sets. Layering uses it to merge a floor region with an engine rule only where the result is again a
// single comparison per argument (libseccomp takes at most one per argument in a rule), and to prove two
// rules never match the same call.
#include <cstdint>
#include <optional>
#include <vector>

#include "oci/spec.hpp"

namespace agentrt::seccomp {

struct ArgSet {
  // range: lo..hi inclusive; not_point: every value but lo; masked: (v & mask) == bits; complex: a set no
  // single comparison describes (known non-empty is not implied).
  enum class Kind { empty, range, not_point, masked, complex } kind = Kind::empty;
  uint64_t lo = 0, hi = 0;
  uint64_t mask = 0, bits = 0;
};

ArgSet arg_set(const oci::SeccompArg& a);
ArgSet intersect(const ArgSet& a, const ArgSet& b);
// The single comparison on `index` accepting exactly `s`; nullopt when there is none. A set with every value
// also yields nullopt with `unconstrained` set.
std::optional<oci::SeccompArg> to_arg(uint32_t index, const ArgSet& s, bool& unconstrained);

// Conditions that must all hold (at most one per index).
using Conjunction = std::vector<oci::SeccompArg>;

// true only when no argument vector satisfies both.
bool provably_disjoint(const Conjunction& a, const Conjunction& b);

// a AND b as one conjunction; nullopt in `out` with true returned when provably empty; false when the
// result is not expressible exactly as one comparison per index.
bool intersect(const Conjunction& a, const Conjunction& b, std::optional<Conjunction>& out);

}  // namespace agentrt::seccomp
