#include "seccomp/arg_set.hpp"

#include <algorithm>

namespace agentrt::seccomp {
namespace {

using Kind = ArgSet::Kind;
using oci::SeccompOp;
constexpr uint64_t kMax = ~0ULL;

ArgSet empty() {
  return ArgSet{};
}
ArgSet range(uint64_t lo, uint64_t hi) {
  if (lo > hi) return empty();
  return ArgSet{Kind::range, lo, hi, 0, 0};
}
// libseccomp compares against bits & mask: expected bits outside the mask are ignored, not unmatched.
ArgSet masked(uint64_t mask, uint64_t bits) {
  bits &= mask;
  if (mask == 0) return range(0, kMax);
  if (mask == kMax) return range(bits, bits);
  // A mask of high bits only is the aligned block bits .. bits|~mask.
  uint64_t low = ~mask;
  if ((low & (low + 1)) == 0) return range(bits, bits | low);
  return ArgSet{Kind::masked, 0, 0, mask, bits};
}

bool contains(const ArgSet& s, uint64_t v) {
  switch (s.kind) {
    case Kind::empty:
      return false;
    case Kind::range:
      return v >= s.lo && v <= s.hi;
    case Kind::not_point:
      return v != s.lo;
    case Kind::masked:
      return (v & s.mask) == s.bits;
    case Kind::complex:
      return true;  // unknown: callers only ask about points, where complex never reaches
  }
  return false;
}

bool is_point(const ArgSet& s) {
  return s.kind == Kind::range && s.lo == s.hi;
}

// Smallest and largest member of a masked set.
uint64_t masked_min(const ArgSet& s) {
  return s.bits;
}
uint64_t masked_max(const ArgSet& s) {
  return s.bits | ~s.mask;
}

ArgSet range_and(const ArgSet& r, const ArgSet& o) {
  switch (o.kind) {
    case Kind::range:
      return range(std::max(r.lo, o.lo), std::min(r.hi, o.hi));
    case Kind::not_point:
      if (o.lo < r.lo || o.lo > r.hi) return r;
      if (r.lo == r.hi) return empty();
      if (o.lo == r.lo) return range(r.lo + 1, r.hi);
      if (o.lo == r.hi) return range(r.lo, r.hi - 1);
      if (r.lo == 0 && r.hi == kMax) return o;
      return ArgSet{Kind::complex};
    case Kind::masked:
      if (masked_max(o) < r.lo || masked_min(o) > r.hi) return empty();
      if (masked_min(o) >= r.lo && masked_max(o) <= r.hi) return o;
      return ArgSet{Kind::complex};
    default:
      return ArgSet{Kind::complex};
  }
}

}  // namespace

ArgSet arg_set(const oci::SeccompArg& a) {
  switch (a.op) {
    case SeccompOp::equal_to:
      return range(a.value, a.value);
    case SeccompOp::not_equal:
      return ArgSet{Kind::not_point, a.value, a.value, 0, 0};
    case SeccompOp::less_than:
      return a.value == 0 ? empty() : range(0, a.value - 1);
    case SeccompOp::less_equal:
      return range(0, a.value);
    case SeccompOp::greater_than:
      return a.value == kMax ? empty() : range(a.value + 1, kMax);
    case SeccompOp::greater_equal:
      return range(a.value, kMax);
    case SeccompOp::masked_equal:
      return masked(a.value, a.value_two);
  }
  return ArgSet{Kind::complex};
}

ArgSet intersect(const ArgSet& a, const ArgSet& b) {
  if (a.kind == Kind::empty || b.kind == Kind::empty) return empty();
  if (is_point(a)) return b.kind == Kind::complex ? ArgSet{Kind::complex} : (contains(b, a.lo) ? a : empty());
  if (is_point(b)) return intersect(b, a);
  if (a.kind == Kind::complex || b.kind == Kind::complex) return ArgSet{Kind::complex};
  if (a.kind == Kind::range) return range_and(a, b);
  if (b.kind == Kind::range) return range_and(b, a);
  if (a.kind == Kind::not_point && b.kind == Kind::not_point) return a.lo == b.lo ? a : ArgSet{Kind::complex};
  if (a.kind == Kind::masked && b.kind == Kind::masked) {
    // Both hold iff they agree on the bits both masks test; then the union of the tests is one test.
    uint64_t common = a.mask & b.mask;
    if ((a.bits & common) != (b.bits & common)) return empty();
    return masked(a.mask | b.mask, a.bits | b.bits);
  }
  const ArgSet& m = a.kind == Kind::masked ? a : b;
  const ArgSet& n = a.kind == Kind::masked ? b : a;  // not_point
  if (!contains(m, n.lo)) return m;
  return ArgSet{Kind::complex};
}

std::optional<oci::SeccompArg> to_arg(uint32_t index, const ArgSet& s, bool& unconstrained) {
  unconstrained = false;
  auto make = [&](SeccompOp op, uint64_t v, uint64_t v2 = 0) { return oci::SeccompArg{index, v, v2, op}; };
  switch (s.kind) {
    case Kind::range: {
      if (s.lo == 0 && s.hi == kMax) {
        unconstrained = true;
        return std::nullopt;
      }
      if (s.lo == s.hi) return make(SeccompOp::equal_to, s.lo);
      if (s.lo == 0) return make(SeccompOp::less_equal, s.hi);
      if (s.hi == kMax) return make(SeccompOp::greater_equal, s.lo);
      uint64_t span = s.hi - s.lo;
      if ((span & (span + 1)) == 0 && (s.lo & span) == 0) return make(SeccompOp::masked_equal, ~span, s.lo);
      return std::nullopt;
    }
    case Kind::not_point:
      return make(SeccompOp::not_equal, s.lo);
    case Kind::masked:
      return make(SeccompOp::masked_equal, s.mask, s.bits);
    default:
      return std::nullopt;
  }
}

namespace {

const oci::SeccompArg* find_index(const Conjunction& c, uint32_t index) {
  for (const auto& a : c)
    if (a.index == index) return &a;
  return nullptr;
}

}  // namespace

bool provably_disjoint(const Conjunction& a, const Conjunction& b) {
  for (const auto& x : a)
    if (arg_set(x).kind == Kind::empty) return true;
  for (const auto& y : b)
    if (arg_set(y).kind == Kind::empty) return true;
  for (const auto& x : a)
    if (const auto* y = find_index(b, x.index); y && intersect(arg_set(x), arg_set(*y)).kind == Kind::empty)
      return true;
  return false;
}

bool intersect(const Conjunction& a, const Conjunction& b, std::optional<Conjunction>& out) {
  out.reset();
  if (provably_disjoint(a, b)) return true;
  Conjunction result;
  for (uint32_t index = 0; index < 6; ++index) {
    const auto* x = find_index(a, index);
    const auto* y = find_index(b, index);
    if (!x && !y) continue;
    ArgSet s = x && y ? intersect(arg_set(*x), arg_set(*y)) : arg_set(x ? *x : *y);
    bool unconstrained = false;
    auto single = to_arg(index, s, unconstrained);
    if (unconstrained) continue;
    if (!single) return false;
    result.push_back(*single);
  }
  out = std::move(result);
  return true;
}

}  // namespace agentrt::seccomp
