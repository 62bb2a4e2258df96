#include "runtime/passwd.hpp"

#include <string_view>
#include <vector>

namespace agentrt::runtime {

std::optional<PasswdEntry> find_passwd_entry(const std::string& text, uint32_t uid) {
  const std::string wanted = std::to_string(uid);
  std::string_view rest(text);
  while (!rest.empty()) {
    size_t eol = rest.find('\n');
    std::string_view line = rest.substr(0, eol);
    rest = eol == std::string_view::npos ? std::string_view() : rest.substr(eol + 1);
    std::vector<std::string_view> f;
    size_t start = 0, pos;
    while ((pos = line.find(':', start)) != std::string_view::npos) {
      f.push_back(line.substr(start, pos - start));
      start = pos + 1;
    }
    f.push_back(line.substr(start));
    if (f.size() >= 6 && f[2] == wanted) return PasswdEntry{std::string(f[0]), std::string(f[5])};
  }
  return std::nullopt;
}

}  // namespace agentrt::runtime
