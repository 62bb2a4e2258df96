#include "seccomp/cache.hpp"

#include <seccomp.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <sstream>

#include "oci/support/fs.hpp"
#include "seccomp/arch.hpp"
#include "seccomp/bpf_build.hpp"

namespace agentrt::seccomp {
namespace {

constexpr const char* kMagic = "agentrt-seccomp-bpf";
constexpr int kFormat = 2;

}  // namespace

uint64_t fnv1a64(const std::string& data) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : data) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

std::string cache_key(const RuleSet& r) {
  std::ostringstream in;
  in << kMagic << ' ' << kFormat << ";optimize=" << kOptimizeLevel << ";libseccomp=" << SCMP_VER_MAJOR << '.'
     << SCMP_VER_MINOR << '.' << SCMP_VER_MICRO << ";native=" << native_arch_name() << ';' << canonical(r);
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(fnv1a64(in.str())));
  return hex;
}

std::string cache_path(const std::string& cache_dir, const std::string& key) {
  return fs::join(cache_dir, key + ".bpf");
}

// Layout: "<magic> <format> <flags> <listener> <warning count> <insn count> <floor insn count>\n", one
// warning per line, then the raw sock_filter arrays of the program and of the stacked floor.
std::optional<CachedProgram> cache_load(const std::string& path) {
  std::optional<std::string> data;
  try {
    data = fs::read_file_if_exists(path);
  } catch (const std::exception&) {
    return std::nullopt;
  }
  if (!data) return std::nullopt;
  std::istringstream in(*data);
  std::string magic;
  int format = 0;
  size_t warnings = 0, insns = 0, floor_insns = 0;
  CachedProgram out;
  in >> magic >> format >> out.program.flags >> out.program.wants_listener >> warnings >> insns >>
      floor_insns;
  if (!in || magic != kMagic || format != kFormat || in.get() != '\n') return std::nullopt;
  for (size_t i = 0; i < warnings; ++i) {
    std::string line;
    if (!std::getline(in, line)) return std::nullopt;
    out.warnings.push_back(line);
  }
  auto offset = static_cast<size_t>(in.tellg());
  if (data->size() - offset != (insns + floor_insns) * sizeof(sock_filter)) return std::nullopt;
  out.program.insns.resize(insns);
  std::memcpy(out.program.insns.data(), data->data() + offset, insns * sizeof(sock_filter));
  out.program.floor_insns.resize(floor_insns);
  std::memcpy(out.program.floor_insns.data(), data->data() + offset + insns * sizeof(sock_filter),
              floor_insns * sizeof(sock_filter));
  return out;
}

void cache_store(const std::string& path, const CachedProgram& entry) {
  std::ostringstream o;
  o << kMagic << ' ' << kFormat << ' ' << entry.program.flags << ' ' << entry.program.wants_listener << ' '
    << entry.warnings.size() << ' ' << entry.program.insns.size() << ' ' << entry.program.floor_insns.size()
    << '\n';
  for (const auto& w : entry.warnings) {
    std::string line = w;
    for (char& c : line)
      if (c == '\n') c = ' ';
    o << line << '\n';
  }
  for (const auto* insns : {&entry.program.insns, &entry.program.floor_insns})
    o.write(reinterpret_cast<const char*>(insns->data()),
            static_cast<std::streamsize>(insns->size() * sizeof(sock_filter)));
  auto slash = path.rfind('/');
  if (slash != std::string::npos && slash > 0) fs::mkdir_all(path.substr(0, slash), 0700);
  fs::write_file_atomic(path, o.str(), 0600);
}

void cache_prune(const std::string& cache_dir, size_t keep) {
  namespace sfs = std::filesystem;
  std::vector<std::pair<sfs::file_time_type, sfs::path>> entries;
  std::error_code ec;
  for (const auto& e : sfs::directory_iterator(cache_dir, ec))
    if (e.path().extension() == ".bpf") entries.emplace_back(e.last_write_time(ec), e.path());
  if (entries.size() <= keep) return;
  std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  for (size_t i = keep; i < entries.size(); ++i) sfs::remove(entries[i].second, ec);
}

}  // namespace agentrt::seccomp
