#pragma once
// What Landlock enforces for a container's fs.write / fs.read settings on a kernel of a given Landlock ABI:
// the access rights handled, one rule per path, the scopes, and what the kernel could not do. Pure: the ABI
// is an input, the rules are applied by landlock_apply.hpp inside the container.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "policy/settings.hpp"

namespace agentrt::policy {

// Access rights and scopes of <linux/landlock.h>, defined here because Debian's kernel headers may predate
// the newer ones (TRUNCATE: ABI 3, IOCTL_DEV: ABI 5, scopes: ABI 6).
namespace landlock_access {
constexpr uint64_t execute = 1ULL << 0, write_file = 1ULL << 1, read_file = 1ULL << 2, read_dir = 1ULL << 3,
                   remove_dir = 1ULL << 4, remove_file = 1ULL << 5, make_char = 1ULL << 6,
                   make_dir = 1ULL << 7, make_reg = 1ULL << 8, make_sock = 1ULL << 9, make_fifo = 1ULL << 10,
                   make_block = 1ULL << 11, make_sym = 1ULL << 12, refer = 1ULL << 13, truncate = 1ULL << 14,
                   ioctl_dev = 1ULL << 15;
// Rights a rule on a file (not a directory) may carry.
constexpr uint64_t file_rights = execute | write_file | read_file | truncate | ioctl_dev;
constexpr uint64_t read_rights = execute | read_file | read_dir;
constexpr uint64_t scope_abstract_unix_socket = 1ULL << 0, scope_signal = 1ULL << 1;
}  // namespace landlock_access

struct LandlockRule {
  std::string path;  // container path
  uint64_t access = 0;
};

struct LandlockPlan {
  int abi = 0;
  uint64_t handled_fs = 0;
  uint64_t scoped = 0;
  std::vector<LandlockRule> rules;
  std::vector<std::string> write_paths, read_paths;  // as asked (read_paths empty: everything readable)
  bool read_limited = false;
  std::string write_source, read_source;
  std::vector<std::string> left_out;  // what the kernel's ABI cannot enforce, one line each
  std::vector<std::string>
      unscoped;  // scopes the ABI offers that a private namespace makes needless, and why

  // {"abi": 7, "write": [...], "writeSetBy": "...", "read": [...] or "*", "handled": ["write_file", ...],
  //  "scopes": [...], "leftOut": [...], "rules": [{"path": "/tmp", "access": [...]}]}
  nlohmann::json to_json() const;
  static LandlockPlan from_json(const nlohmann::json& j);
};

// The right names in bit order ("execute", "write_file" ...).
std::vector<std::string> access_names(uint64_t access);

// The highest right of each ABI: rights up to and including the ABI's are offered.
uint64_t fs_rights_of_abi(int abi);

// nullopt when neither fs setting is set. A setting asked explicitly (annotation, flag, config file) that the
// kernel cannot honour throws Error naming its source: no Landlock at all, or fs.write on an ABI before 3
// (truncate(2) outside the write list cannot be stopped). A profile's default is enforced as far as the ABI
// goes and what is missing is recorded in left_out.
//
// The ABI 6 scopes stop signals and abstract unix sockets that cross the domain. An exec'd process cannot
// join the init's domain, so the scopes would also cut it off from the init's processes (`docker exec c kill
// -HUP 1`). They are only needed where the container shares the host's namespace: its own pid namespace
// already hides every outside process, its own network namespace every outside abstract socket.
struct PrivateNamespaces {
  bool pid = false;
  bool net = false;
};
std::optional<LandlockPlan> plan_landlock(const Settings& settings, int abi, PrivateNamespaces own = {});

}  // namespace agentrt::policy
