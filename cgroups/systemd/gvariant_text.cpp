#include "cgroups/systemd/gvariant_text.hpp"

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <map>

#include "oci/support/error.hpp"

namespace agentrt::cgroups::systemd {
namespace {

const std::map<std::string, std::string> kTypeKeywords = {
    {"boolean", "b"}, {"byte", "y"},   {"int16", "n"},      {"uint16", "q"},
    {"int32", "i"},   {"uint32", "u"}, {"int64", "x"},      {"uint64", "t"},
    {"double", "d"},  {"string", "s"}, {"objectpath", "o"}, {"signature", "g"}};

bool is_integer_signature(const std::string& s) {
  return s.size() == 1 && std::strchr("ynqiuxt", s[0]) != nullptr;
}

// The first complete type of sig at pos; empty when there is none.
std::string complete_type(const std::string& sig, size_t pos) {
  if (pos >= sig.size()) return "";
  char c = sig[pos];
  if (std::strchr("ybnqiuxtdsog", c)) return std::string(1, c);
  if (c == 'a') {
    std::string element = complete_type(sig, pos + 1);
    return element.empty() ? "" : "a" + element;
  }
  if (c == '(') {
    std::string out = "(";
    size_t p = pos + 1;
    while (p < sig.size() && sig[p] != ')') {
      std::string field = complete_type(sig, p);
      if (field.empty()) return "";
      out += field;
      p += field.size();
    }
    if (p >= sig.size() || out.size() == 1) return "";
    return out + ")";
  }
  return "";  // v, {}, h and unknown codes: not supported
}

class Parser {
 public:
  explicit Parser(const std::string& text) : s_(text) {}

  DbusValue parse_all() {
    DbusValue v = value("");
    skip_space();
    if (pos_ != s_.size()) fail("unexpected text after the value");
    return v;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw Error("GVariant text '" + s_ + "': " + what + " at offset " + std::to_string(pos_));
  }
  void skip_space() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }
  bool starts_word(const std::string& w) const {
    if (s_.compare(pos_, w.size(), w) != 0) return false;
    size_t end = pos_ + w.size();
    return end == s_.size() || !std::isalnum(static_cast<unsigned char>(s_[end]));
  }
  std::string word() {
    size_t start = pos_;
    while (pos_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '_'))
      ++pos_;
    return s_.substr(start, pos_ - start);
  }

  // One value; expected is its type when known (an annotation, a keyword, an array's element type).
  DbusValue value(const std::string& expected) {
    skip_space();
    if (pos_ >= s_.size()) fail("a value was expected");
    char c = s_[pos_];
    if (c == '@') {
      ++pos_;
      size_t start = pos_;
      while (pos_ < s_.size() && !std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
      std::string type = s_.substr(start, pos_ - start);
      if (complete_type(type, 0) != type) fail("type annotation '@" + type + "' is not a supported type");
      return with_type(value(type), expected);
    }
    for (const auto& [keyword, code] : kTypeKeywords) {
      if (starts_word(keyword)) {
        pos_ += keyword.size();
        return with_type(value(code), expected);
      }
    }
    if (c == '{' || c == '<') fail("dictionaries and variants are not supported by agentrt");
    if (c == '[') return array(expected);
    if (c == '(') return tuple(expected);
    if (c == '\'' || c == '"') return string_value(expected);
    if (starts_word("true") || starts_word("false")) {
      bool b = s_[pos_] == 't';
      pos_ += b ? 4 : 5;
      return with_type(DbusValue{"b", b ? 1u : 0u, "", {}}, expected);
    }
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '+' || c == '.')
      return number(expected);
    fail("'" + word() + "' is not a GVariant value");
  }

  DbusValue with_type(DbusValue v, const std::string& expected) {
    if (!expected.empty() && v.signature != expected)
      fail("a value of type '" + v.signature + "' where '" + expected + "' is required");
    return v;
  }

  DbusValue string_value(const std::string& expected) {
    char quote = s_[pos_++];
    std::string out;
    for (;;) {
      if (pos_ >= s_.size()) fail("unterminated string");
      char c = s_[pos_++];
      if (c == quote) break;
      if (c != '\\') {
        out += c;
        continue;
      }
      if (pos_ >= s_.size()) fail("unterminated escape");
      char e = s_[pos_++];
      switch (e) {
        case 'n':
          out += '\n';
          break;
        case 't':
          out += '\t';
          break;
        case 'r':
          out += '\r';
          break;
        case '\\':
        case '\'':
        case '"':
          out += e;
          break;
        default:
          fail(std::string("unsupported escape \\") + e);
      }
    }
    std::string type = expected.empty() ? "s" : expected;
    if (type != "s" && type != "o" && type != "g") fail("a string where '" + type + "' is required");
    if (type == "o" && (out.empty() || out[0] != '/'))
      fail("object path '" + out + "' does not start with /");
    return DbusValue{type, 0, out, {}};
  }

  DbusValue number(const std::string& expected) {
    size_t start = pos_;
    if (s_[pos_] == '-' || s_[pos_] == '+') ++pos_;
    bool hex = s_.compare(pos_, 2, "0x") == 0 || s_.compare(pos_, 2, "0X") == 0;
    if (hex) pos_ += 2;
    bool floating = false;
    while (pos_ < s_.size()) {
      char c = s_[pos_];
      if (std::isxdigit(static_cast<unsigned char>(c)) &&
          (hex || std::isdigit(static_cast<unsigned char>(c)))) {
        ++pos_;
      } else if (!hex && (c == '.' || c == 'e' || c == 'E')) {
        floating = true;
        ++pos_;
        if ((c == 'e' || c == 'E') && pos_ < s_.size() && (s_[pos_] == '-' || s_[pos_] == '+')) ++pos_;
      } else {
        break;
      }
    }
    std::string lit = s_.substr(start, pos_ - start);
    std::string type = expected.empty() ? (floating ? "d" : "i") : expected;
    if (type == "d") {
      char* end = nullptr;
      errno = 0;
      double d = std::strtod(lit.c_str(), &end);
      if (*end != '\0' || errno == ERANGE || lit.empty()) fail("'" + lit + "' is not a double");
      uint64_t bits;
      std::memcpy(&bits, &d, sizeof bits);
      return DbusValue{"d", bits, "", {}};
    }
    if (!is_integer_signature(type)) fail("a number where '" + type + "' is required");
    if (floating) fail("'" + lit + "' is not an integer (type '" + type + "')");
    return DbusValue{type, integer_bits(lit, type[0]), "", {}};
  }

  uint64_t integer_bits(const std::string& lit, char type) {
    bool negative = !lit.empty() && lit[0] == '-';
    std::string digits = (lit[0] == '-' || lit[0] == '+') ? lit.substr(1) : lit;
    char* end = nullptr;
    errno = 0;
    unsigned long long magnitude = std::strtoull(digits.c_str(), &end, 0);
    if (digits.empty() || *end != '\0' || errno == ERANGE)
      fail("'" + lit + "' is not a number of type " + type);
    struct Range {
      long double lo, hi;
    };
    static const std::map<char, Range> ranges = {
        {'y', {0, 255}},
        {'n', {-32768, 32767}},
        {'q', {0, 65535}},
        {'i', {-2147483648.0L, 2147483647.0L}},
        {'u', {0, 4294967295.0L}},
        {'x',
         {static_cast<long double>(std::numeric_limits<int64_t>::min()),
          static_cast<long double>(std::numeric_limits<int64_t>::max())}},
        {'t', {0, static_cast<long double>(std::numeric_limits<uint64_t>::max())}}};
    long double v = negative ? -static_cast<long double>(magnitude) : static_cast<long double>(magnitude);
    const Range& r = ranges.at(type);
    if (v < r.lo || v > r.hi) fail("'" + lit + "' is out of range for type " + std::string(1, type));
    return negative ? static_cast<uint64_t>(0) - magnitude : magnitude;
  }

  // Elements of one type: the expected one, else the one GVariant would unify them to.
  DbusValue array(const std::string& expected) {
    if (!expected.empty() && expected[0] != 'a') fail("an array where '" + expected + "' is required");
    std::string element = expected.empty() ? "" : expected.substr(1);
    size_t open = pos_++;
    std::vector<DbusValue> items = list(']', element);
    if (items.empty() && element.empty()) fail("the type of an empty array is unknown (write e.g. @as [])");
    if (element.empty()) {
      // Untyped elements of different types: the first one types the rest, except that integers
      // among doubles are doubles.
      element = items.front().signature;
      bool same = true, only_numbers = true;
      for (const auto& i : items) {
        same = same && i.signature == element;
        only_numbers = only_numbers && (i.signature == "i" || i.signature == "d");
      }
      if (!same) {
        pos_ = open + 1;
        element = only_numbers ? "d" : element;
        items = list(']', element);
      }
    }
    return DbusValue{"a" + element, 0, "", std::move(items)};
  }

  DbusValue tuple(const std::string& expected) {
    if (!expected.empty() && expected[0] != '(') fail("a tuple where '" + expected + "' is required");
    std::vector<std::string> fields;
    for (size_t p = 1; !expected.empty() && expected[p] != ')'; p += fields.back().size())
      fields.push_back(complete_type(expected, p));
    ++pos_;
    std::vector<DbusValue> items;
    skip_space();
    while (pos_ < s_.size() && s_[pos_] != ')') {
      if (!expected.empty() && items.size() >= fields.size()) fail("too many fields for '" + expected + "'");
      items.push_back(value(expected.empty() ? "" : fields[items.size()]));
      skip_space();
      if (pos_ < s_.size() && s_[pos_] == ',') {
        ++pos_;
        skip_space();
      } else if (pos_ < s_.size() && s_[pos_] != ')') {
        fail("',' or ')' expected");
      }
    }
    if (pos_ >= s_.size()) fail("unterminated tuple");
    ++pos_;
    if (items.empty()) fail("an empty tuple has no D-Bus type");
    if (!expected.empty() && items.size() != fields.size()) fail("too few fields for '" + expected + "'");
    std::string sig = "(";
    for (const auto& i : items) sig += i.signature;
    return DbusValue{sig + ")", 0, "", std::move(items)};
  }

  // Values separated by commas up to close (consumed).
  std::vector<DbusValue> list(char close, const std::string& element) {
    std::vector<DbusValue> items;
    skip_space();
    while (pos_ < s_.size() && s_[pos_] != close) {
      items.push_back(value(element));
      skip_space();
      if (pos_ < s_.size() && s_[pos_] == ',') {
        ++pos_;
        skip_space();
      } else if (pos_ < s_.size() && s_[pos_] != close) {
        fail(std::string("',' or '") + close + "' expected");
      }
    }
    if (pos_ >= s_.size()) fail(std::string("missing '") + close + "'");
    ++pos_;
    return items;
  }

  const std::string& s_;
  size_t pos_ = 0;
};

}  // namespace

DbusValue parse_gvariant_text(const std::string& text) {
  return Parser(text).parse_all();
}

}  // namespace agentrt::cgroups::systemd
