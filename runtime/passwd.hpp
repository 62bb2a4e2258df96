#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace agentrt::runtime {

struct PasswdEntry {
  std::string name;
  std::string home;
};

// The entry for `uid` in the text of an /etc/passwd file (name:pw:uid:gid:gecos:home:shell), if any.
// Parsed by hand, as runc does, rather than through NSS: the container's file is not the host's NSS
// configuration, and the statically linked binary cannot load NSS modules safely.
std::optional<PasswdEntry> find_passwd_entry(const std::string& text, uint32_t uid);

}  // namespace agentrt::runtime
