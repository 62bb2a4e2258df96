#include "runtime/mountinfo.hpp"

#include <sstream>

#include "oci/support/error.hpp"

namespace agentrt::runtime {
namespace {

std::string unescape_octal(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size()) {
      const char a = s[i + 1], b = s[i + 2], c = s[i + 3];
      if (a >= '0' && a <= '3' && b >= '0' && b <= '7' && c >= '0' && c <= '7') {
        out += static_cast<char>((a - '0') * 64 + (b - '0') * 8 + (c - '0'));
        i += 3;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

}  // namespace

std::vector<MountInfo> parse_mountinfo(const std::string& text) {
  std::vector<MountInfo> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::vector<std::string> f;
    std::istringstream ls(line);
    std::string tok;
    while (ls >> tok) f.push_back(tok);
    size_t sep = 6;
    while (sep < f.size() && f[sep] != "-") ++sep;
    if (f.size() < 6 || sep + 3 > f.size()) throw Error("mountinfo: malformed line \"" + line + "\"");
    MountInfo m;
    m.id = std::stoi(f[0]);
    m.parent = std::stoi(f[1]);
    m.major_minor = f[2];
    m.root = unescape_octal(f[3]);
    m.mountpoint = unescape_octal(f[4]);
    m.mount_options = f[5];
    for (size_t i = 6; i < sep; ++i) m.optional_fields += (i > 6 ? " " : "") + f[i];
    m.fstype = f[sep + 1];
    m.source = unescape_octal(f[sep + 2]);
    if (sep + 3 < f.size()) m.super_options = f[sep + 3];
    out.push_back(m);
  }
  return out;
}

std::map<std::string, std::string> parse_proc_cgroup(const std::string& text) {
  std::map<std::string, std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    auto a = line.find(':');
    auto b = a == std::string::npos ? a : line.find(':', a + 1);
    if (b == std::string::npos) continue;
    out[line.substr(a + 1, b - a - 1)] = line.substr(b + 1);
  }
  return out;
}

}  // namespace agentrt::runtime
