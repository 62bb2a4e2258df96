#include "engines/text_diff.hpp"

#include <vector>

namespace agentrt::engines {
namespace {

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) {
      out.push_back(text.substr(pos) + "\n\\ No newline at end of file");
      break;
    }
    out.push_back(text.substr(pos, nl - pos));
    pos = nl + 1;
  }
  return out;
}

std::string range(size_t start, size_t count) {
  // As diff -u: an empty range names the line before it.
  return std::to_string(count == 0 ? start : start + 1) + "," + std::to_string(count);
}

}  // namespace

std::string text_diff(const std::string& before, const std::string& after, const std::string& label) {
  if (before == after) return "";
  auto a = split_lines(before);
  auto b = split_lines(after);
  size_t head = 0;
  while (head < a.size() && head < b.size() && a[head] == b[head]) ++head;
  size_t tail = 0;
  while (tail < a.size() - head && tail < b.size() - head && a[a.size() - 1 - tail] == b[b.size() - 1 - tail])
    ++tail;
  std::string out = "--- " + label + "\n+++ " + label + " (new)\n";
  out += "@@ -" + range(head, a.size() - head - tail) + " +" + range(head, b.size() - head - tail) + " @@\n";
  for (size_t i = head; i < a.size() - tail; ++i) out += "-" + a[i] + "\n";
  for (size_t i = head; i < b.size() - tail; ++i) out += "+" + b[i] + "\n";
  return out;
}

}  // namespace agentrt::engines
