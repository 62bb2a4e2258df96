#include "oci/support/error.hpp"
#include "seccomp/bpf_build.hpp"
#include "seccomp/bpf_deadline.hpp"
#include "seccomp/cache.hpp"
#include "seccomp/filter.hpp"

namespace agentrt::seccomp {

Program compile(const oci::Seccomp& s, std::vector<std::string>& warnings, const std::string& cache_dir) {
  RuleSet rules = build_ruleset(s);
  std::string path = cache_dir.empty() ? "" : cache_path(cache_dir, cache_key(rules));
  if (!path.empty()) {
    if (auto hit = cache_load(path)) {
      warnings.insert(warnings.end(), hit->warnings.begin(), hit->warnings.end());
      return hit->program;
    }
  }
  CachedProgram fresh;
  fresh.program.insns = build_bpf_within(rules, fresh.warnings, kCompileDeadline);
  fresh.program.flags = rules.flags;
  fresh.program.wants_listener = rules.wants_listener;
  if (fresh.program.insns.size() > BPF_MAXINSNS)
    throw Error("seccomp filter too large: " + std::to_string(fresh.program.insns.size()) +
                " instructions (max " + std::to_string(BPF_MAXINSNS) + ")");
  warnings.insert(warnings.end(), fresh.warnings.begin(), fresh.warnings.end());
  if (!path.empty()) {
    try {
      cache_store(path, fresh);
      cache_prune(cache_dir);
    } catch (const std::exception& e) {
      // A cache that cannot be written costs a recompilation next time, nothing more.
      warnings.push_back(std::string("seccomp cache not written: ") + e.what());
    }
  }
  return fresh.program;
}

Program compile_layers(const oci::Seccomp& s, const std::optional<oci::Seccomp>& floor,
                       std::vector<std::string>& warnings, const std::string& cache_dir) {
  Program p = compile(s, warnings, cache_dir);
  if (floor) {
    Program f = compile(*floor, warnings, cache_dir);
    p.floor_insns = std::move(f.insns);
    p.wants_listener |= f.wants_listener;  // an audited floor (install() finds which layer notifies)
  }
  return p;
}

}  // namespace agentrt::seccomp
