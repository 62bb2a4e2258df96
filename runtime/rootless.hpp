#pragma once
// Whether agentrt runs without root, decided once at start-up and carried in the Context: the state
// directory, the user namespace set-up and the cgroup decision all consult this one fact. The deciding
// functions are pure; detect_rootless() reads the process's ids and /proc/self/uid_map.
#include <sys/types.h>

#include <optional>
#include <string>

namespace agentrt::runtime {

struct Rootless {
  bool rootless = false;    // unprivileged: cgroups may be skipped, id maps need the unprivileged path
  bool in_user_ns = false;  // uid 0 here maps to a non-root uid of the parent namespace (rootless Podman)
  uid_t euid = 0;
  gid_t egid = 0;
};

// --rootless as runc accepts it: "" or "auto" -> nullopt (detect); true/false in strconv.ParseBool's
// spellings (1 t T TRUE true True, 0 f F FALSE false False). Anything else throws naming the flag.
std::optional<bool> parse_rootless_flag(const std::string& value);

// The host uid that uid 0 of this namespace maps to, from /proc/self/uid_map text; nullopt when 0 is not
// mapped.
std::optional<uint64_t> host_uid_of_root(const std::string& uid_map_text);

// Pure: the fact from the flag (nullopt = auto), the effective ids and /proc/self/uid_map.
Rootless decide_rootless(std::optional<bool> flag, uid_t euid, gid_t egid, const std::string& uid_map_text);
Rootless detect_rootless(std::optional<bool> flag);

// The state root when --root is not given (runc's rule): $XDG_RUNTIME_DIR/agentrt for an unprivileged caller
// (in a user namespace: unless $USER is root), else /run/agentrt. Throws a clear error when the caller is
// not root and $XDG_RUNTIME_DIR is unset. xdg and user are the environment values (nullptr when unset).
struct StateRootChoice {
  std::string path;
  bool from_xdg = false;
};
StateRootChoice default_state_root(const Rootless& r, const char* xdg, const char* user);

// Makes a state root chosen from $XDG_RUNTIME_DIR (0700); an error names the variable and the errno text.
void prepare_xdg_state_root(const std::string& path);

}  // namespace agentrt::runtime
