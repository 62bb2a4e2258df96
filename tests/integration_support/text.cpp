#include "text.hpp"

#include <unistd.h>

#include <atomic>
#include <cctype>
#include <fstream>
#include <random>
#include <sstream>

namespace itest {

std::string read_text(const stdfs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_text(const stdfs::path& p, const std::string& content) {
  std::ofstream(p, std::ios::binary | std::ios::trunc) << content;
}

std::vector<std::string> split_lines(const std::string& s) {
  std::vector<std::string> lines;
  std::istringstream in(s);
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  return lines;
}

std::string trim(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  size_t i = 0;
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  return s.substr(i);
}

bool contains(const std::string& hay, const std::string& needle) {
  return hay.find(needle) != std::string::npos;
}

std::string unescape_quotes(const std::string& log_text) {
  std::string out;
  for (size_t i = 0; i < log_text.size(); ++i) {
    if (log_text[i] == '\\' && i + 1 < log_text.size() && log_text[i + 1] == '"') continue;
    out += log_text[i];
  }
  return out;
}

std::optional<std::string> status_field(const std::string& status, const std::string& field) {
  for (const auto& l : split_lines(status))
    if (l.rfind(field + ":", 0) == 0) return trim(l.substr(field.size() + 1));
  return std::nullopt;
}

std::optional<unsigned long long> status_hex(const std::string& status, const std::string& field) {
  auto v = status_field(status, field);
  if (!v) return std::nullopt;
  return std::stoull(*v, nullptr, 16);
}

std::string unique_id(const std::string& prefix, const std::string& tag) {
  static std::atomic<int> counter{0};
  std::random_device rd;
  std::ostringstream s;
  s << prefix << "-" << tag << "-" << getpid() << "-" << counter++ << "-" << std::hex << (rd() & 0xffffff);
  return s.str();
}

std::map<std::string, std::string> key_values(const std::string& text) {
  std::map<std::string, std::string> m;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line))
    if (auto eq = line.find('='); eq != std::string::npos) m[line.substr(0, eq)] = line.substr(eq + 1);
  return m;
}

}  // namespace itest
