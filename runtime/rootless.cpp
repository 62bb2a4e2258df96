#include "runtime/rootless.hpp"

#include <unistd.h>

#include <sstream>

#include "oci/support/error.hpp"
#include "oci/support/fs.hpp"

namespace agentrt::runtime {

std::optional<bool> parse_rootless_flag(const std::string& value) {
  if (value.empty() || value == "auto") return std::nullopt;
  for (const char* t : {"1", "t", "T", "TRUE", "true", "True"})
    if (value == t) return true;
  for (const char* f : {"0", "f", "F", "FALSE", "false", "False"})
    if (value == f) return false;
  throw Error("--rootless: invalid value \"" + value + "\" (expected true, false or auto)");
}

std::optional<uint64_t> host_uid_of_root(const std::string& uid_map_text) {
  std::istringstream in(uid_map_text);
  uint64_t inside = 0, outside = 0, count = 0;
  while (in >> inside >> outside >> count)
    if (inside == 0 && count > 0) return outside;
  return std::nullopt;
}

Rootless decide_rootless(std::optional<bool> flag, uid_t euid, gid_t egid, const std::string& uid_map_text) {
  Rootless r;
  r.euid = euid;
  r.egid = egid;
  std::optional<uint64_t> root_on_host = host_uid_of_root(uid_map_text);
  r.in_user_ns = !root_on_host || *root_on_host != 0;
  r.rootless = flag.value_or(euid != 0 || r.in_user_ns);
  return r;
}

Rootless detect_rootless(std::optional<bool> flag) {
  std::string uid_map = fs::read_file_if_exists("/proc/self/uid_map").value_or("0 0 4294967295\n");
  return decide_rootless(flag, ::geteuid(), ::getegid(), uid_map);
}

StateRootChoice default_state_root(const Rootless& r, const char* xdg, const char* user) {
  bool unprivileged = r.euid != 0;
  bool honor_xdg = unprivileged || (r.in_user_ns && (user == nullptr || std::string(user) != "root"));
  if (xdg != nullptr && *xdg != '\0' && honor_xdg) return {fs::join(xdg, "agentrt"), true};
  if (unprivileged)
    throw Error("state directory: running as uid " + std::to_string(r.euid) +
                " with neither --root nor $XDG_RUNTIME_DIR set (/run/agentrt needs root); pass --root DIR or "
                "set XDG_RUNTIME_DIR");
  return {"/run/agentrt", false};
}

void prepare_xdg_state_root(const std::string& path) {
  try {
    fs::mkdir_all(path, 0700);
  } catch (const Error& e) {
    throw e.wrap("state directory from $XDG_RUNTIME_DIR (pass --root DIR to use another)");
  }
  if (::access(path.c_str(), W_OK | X_OK) < 0)
    throw sys_error("state directory from $XDG_RUNTIME_DIR (pass --root DIR to use another): " + path +
                    " is not writable");
}

}  // namespace agentrt::runtime
