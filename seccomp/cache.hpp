#pragma once
// Compiled-BPF cache: <cache_dir>/<key>.bpf, keyed by a hash of the canonical rule set, the libseccomp
// version and the native architecture. A hit is read back without touching libseccomp.
#include <optional>
#include <string>
#include <vector>

#include "seccomp/filter.hpp"
#include "seccomp/ruleset.hpp"

namespace agentrt::seccomp {

struct CachedProgram {
  Program program;
  std::vector<std::string> warnings;  // the warnings the original compilation gave
};

uint64_t fnv1a64(const std::string& data);
std::string cache_key(const RuleSet& r);
std::string cache_path(const std::string& cache_dir, const std::string& key);

// nullopt on a miss or an unreadable/corrupt entry (which is then simply recompiled).
std::optional<CachedProgram> cache_load(const std::string& path);
// Atomic write (temp file + rename); creates cache_dir.
void cache_store(const std::string& path, const CachedProgram& entry);

// Keeps the `keep` most recently written entries of cache_dir and removes the others.
constexpr size_t kCacheEntries = 256;
void cache_prune(const std::string& cache_dir, size_t keep = kCacheEntries);

}  // namespace agentrt::seccomp
