#include "engines/toml_lines.hpp"

#include <cctype>

#include "oci/support/error.hpp"

namespace agentrt::engines {
namespace {

constexpr const char* kBlanks = " \t\r";

bool is_blank_line(const std::string& l) {
  size_t p = l.find_first_not_of(kBlanks);
  return p == std::string::npos;
}

bool is_comment_line(const std::string& l) {
  size_t p = l.find_first_not_of(kBlanks);
  return p != std::string::npos && l[p] == '#';
}

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

bool bare_key_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
}

class LineError {
 public:
  LineError(const std::string& file, size_t index) : prefix_(file + ":" + std::to_string(index + 1) + ": ") {}
  Error operator()(const std::string& what) const { return Error(prefix_ + what); }

 private:
  std::string prefix_;
};

// Index of the first `stop` character of l at or after `from` outside quoted strings, or npos.
size_t find_unquoted(const std::string& l, size_t from, char stop, const LineError& err) {
  char quote = 0;
  for (size_t i = from; i < l.size(); ++i) {
    char c = l[i];
    if (quote == '"' && c == '\\') {
      ++i;
    } else if (quote) {
      if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == stop) {
      return i;
    }
  }
  if (quote) throw err("unterminated quoted key");
  return std::string::npos;
}

// A dotted key or table name without the blanks around its parts: a . "b c" . d -> a."b c".d
std::string normalize_name(const std::string& raw, const LineError& err) {
  std::string out;
  char quote = 0;
  for (size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (quote) {
      out += c;
      if (quote == '"' && c == '\\' && i + 1 < raw.size())
        out += raw[++i];
      else if (c == quote)
        quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
      out += c;
    } else if (c == ' ' || c == '\t') {
      continue;
    } else if (bare_key_char(c) || c == '.') {
      out += c;
    } else {
      throw err(std::string("unexpected character '") + c + "' in key or table name \"" + trim(raw) + "\"");
    }
  }
  if (out.empty()) throw err("empty key or table name");
  return out;
}

}  // namespace

std::string toml_key(const std::string& name) {
  bool bare = !name.empty();
  for (char c : name) bare = bare && bare_key_char(c);
  return bare ? name : toml_string(name);
}

std::string toml_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

TomlLines::TomlLines(const std::string& text, const std::string& file) : file_(file) {
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) {
      lines_.push_back(text.substr(pos));
      trailing_newline_ = false;
      break;
    }
    lines_.push_back(text.substr(pos, nl - pos));
    pos = nl + 1;
  }
  parse();
}

std::string TomlLines::text() const {
  std::string out;
  for (size_t i = 0; i < lines_.size(); ++i) {
    out += lines_[i];
    if (i + 1 < lines_.size() || trailing_newline_) out += '\n';
  }
  return out;
}

void TomlLines::parse() {
  statements_.clear();
  std::string table;
  size_t i = 0;
  while (i < lines_.size()) {
    const std::string& l = lines_[i];
    LineError err(file_, i);
    size_t p = l.find_first_not_of(kBlanks);
    if (p == std::string::npos || l[p] == '#') {
      statements_.push_back({Kind::blank, i, i, table, "", ""});
      ++i;
      continue;
    }
    if (l[p] == '[') {
      bool array = l.compare(p, 2, "[[") == 0;
      size_t open = p + (array ? 2 : 1);
      size_t close = find_unquoted(l, open, ']', err);
      if (close == std::string::npos) throw err("table header without a closing ']'");
      if (array && l.compare(close, 2, "]]") != 0) throw err("array-of-tables header without ']]'");
      std::string name = normalize_name(l.substr(open, close - open), err);
      std::string rest = trim(l.substr(close + (array ? 2 : 1)));
      if (!rest.empty() && rest[0] != '#') throw err("unexpected text after the table header: " + rest);
      // An array of tables never matches a table name the editor looks for.
      table = array ? "[[" + name + "]]" : name;
      statements_.push_back({Kind::header, i, i, table, "", ""});
      ++i;
      continue;
    }
    size_t eq = find_unquoted(l, p, '=', err);
    if (eq == std::string::npos) throw err("expected `key = value` or a [table] header");
    std::string key = normalize_name(l.substr(p, eq - p), err);

    // The value: strings (four kinds), arrays and inline tables may continue on the next lines.
    enum class Str { none, basic, literal, ml_basic, ml_literal } str = Str::none;
    int depth = 0;
    bool seen = false;
    std::string value;
    size_t line = i, pos = eq + 1;
    for (;;) {
      const std::string& s = lines_[line];
      LineError here(file_, line);
      for (; pos < s.size(); ++pos) {
        char c = s[pos];
        if (str == Str::none) {
          if (c == '#') break;
          if (s.compare(pos, 3, "\"\"\"") == 0 || s.compare(pos, 3, "'''") == 0) {
            str = c == '"' ? Str::ml_basic : Str::ml_literal;
            value += s.substr(pos, 3);
            pos += 2;
            seen = true;
            continue;
          }
          if (c == '"') str = Str::basic;
          if (c == '\'') str = Str::literal;
          if (c == '[' || c == '{') ++depth;
          if (c == ']' || c == '}') {
            if (depth == 0) throw here(std::string("unbalanced '") + c + "' in the value of " + key);
            --depth;
          }
          if (c != ' ' && c != '\t' && c != '\r') seen = true;
          value += c;
        } else if ((str == Str::basic || str == Str::ml_basic) && c == '\\') {
          value += c;
          if (pos + 1 < s.size()) value += s[++pos];
        } else if (str == Str::basic || str == Str::literal) {
          value += c;
          if (c == (str == Str::basic ? '"' : '\'')) str = Str::none;
        } else {
          const char* end = str == Str::ml_basic ? "\"\"\"" : "'''";
          if (s.compare(pos, 3, end) == 0) {
            value += end;
            pos += 2;
            str = Str::none;
          } else {
            value += c;
          }
        }
      }
      if (str == Str::basic || str == Str::literal) throw here("unterminated string in the value of " + key);
      if (depth == 0 && str == Str::none) break;
      value += '\n';
      ++line;
      pos = 0;
      if (line >= lines_.size())
        throw err("the value of " + key + " never ends (an unclosed bracket or string)");
    }
    if (!seen) throw err("missing value after '=' for " + key);
    statements_.push_back({Kind::key, i, line, table, key, trim(value)});
    i = line + 1;
  }
}

bool TomlLines::has_statements() const {
  for (const auto& s : statements_)
    if (s.kind != Kind::blank) return true;
  return false;
}

std::optional<TomlLines::Range> TomlLines::find_table(const std::string& table) const {
  size_t begin = 0;
  size_t header = std::string::npos;
  if (!table.empty()) {
    for (size_t i = 0; i < statements_.size() && header == std::string::npos; ++i)
      if (statements_[i].kind == Kind::header && statements_[i].table == table) header = i;
    if (header == std::string::npos) return std::nullopt;
    begin = header + 1;
  }
  size_t end = begin;
  while (end < statements_.size() && statements_[end].kind != Kind::header) ++end;
  return Range{header, begin, end};
}

std::optional<size_t> TomlLines::find_key(const Range& r, const std::string& key) const {
  for (size_t i = r.body_begin; i < r.body_end; ++i)
    if (statements_[i].kind == Kind::key && statements_[i].key == key) return i;
  return std::nullopt;
}

std::optional<std::string> TomlLines::value(const std::string& table, const std::string& key) const {
  auto r = find_table(table);
  if (!r) return std::nullopt;
  auto k = find_key(*r, key);
  if (!k) return std::nullopt;
  return statements_[*k].value;
}

std::optional<size_t> TomlLines::dotted_definition(const std::string& table, const std::string& key) const {
  auto r = find_table(table);
  if (!r) return std::nullopt;
  for (size_t i = r->body_begin; i < r->body_end; ++i) {
    const Statement& s = statements_[i];
    if (s.kind == Kind::key && (s.key == key || s.key.rfind(key + ".", 0) == 0)) return s.first + 1;
  }
  return std::nullopt;
}

bool TomlLines::has_table(const std::string& table) const {
  return find_table(table).has_value();
}

size_t TomlLines::key_count(const std::string& table) const {
  auto r = find_table(table);
  size_t n = 0;
  if (r)
    for (size_t i = r->body_begin; i < r->body_end; ++i) n += statements_[i].kind == Kind::key;
  return n;
}

bool TomlLines::table_has_comments(const std::string& table) const {
  auto r = find_table(table);
  if (!r) return false;
  for (size_t i = r->body_begin; i < r->body_end; ++i)
    if (statements_[i].kind == Kind::blank && is_comment_line(lines_[statements_[i].first])) return true;
  return false;
}

void TomlLines::erase_lines(size_t first, size_t last) {
  lines_.erase(lines_.begin() + static_cast<std::ptrdiff_t>(first),
               lines_.begin() + static_cast<std::ptrdiff_t>(last) + 1);
}

bool TomlLines::set(const std::string& table, const std::string& key, const std::string& value) {
  auto indent_of = [](const std::string& l) { return l.substr(0, l.find_first_not_of(" \t")); };
  std::string statement = key + " = " + value;
  auto r = find_table(table);
  if (r) {
    if (auto k = find_key(*r, key)) {
      const Statement& s = statements_[*k];
      if (s.value == value) return false;
      std::string line = indent_of(lines_[s.first]) + statement;
      size_t first = s.first;
      erase_lines(s.first, s.last);
      lines_.insert(lines_.begin() + static_cast<std::ptrdiff_t>(first), line);
    } else {
      // After the table's last key (with its indentation), else right after the header.
      size_t at = r->header == std::string::npos ? 0 : statements_[r->header].last + 1;
      std::string indent;
      for (size_t i = r->body_begin; i < r->body_end; ++i) {
        if (statements_[i].kind != Kind::key) continue;
        at = statements_[i].last + 1;
        indent = indent_of(lines_[statements_[i].first]);
      }
      lines_.insert(lines_.begin() + static_cast<std::ptrdiff_t>(at), indent + statement);
    }
  } else {
    if (!lines_.empty() && !is_blank_line(lines_.back())) lines_.push_back("");
    lines_.push_back("[" + table + "]");
    lines_.push_back(statement);
  }
  trailing_newline_ = true;
  parse();
  return true;
}

bool TomlLines::remove_key(const std::string& table, const std::string& key) {
  auto r = find_table(table);
  if (!r) return false;
  auto k = find_key(*r, key);
  if (!k) return false;
  erase_lines(statements_[*k].first, statements_[*k].last);
  parse();
  return true;
}

bool TomlLines::remove_table(const std::string& table) {
  if (table.empty()) return false;
  auto r = find_table(table);
  if (!r) return false;
  size_t first = statements_[r->header].first;
  size_t last = statements_[r->header].last;
  for (size_t i = r->body_begin; i < r->body_end; ++i)
    if (statements_[i].kind == Kind::key) last = statements_[i].last;
  erase_lines(first, last);
  // A table appended at the end came with one blank line before it: that goes too.
  bool at_end = true;
  for (size_t i = first; i < lines_.size(); ++i) at_end = at_end && is_blank_line(lines_[i]);
  if (at_end && first > 0 && first == lines_.size() && is_blank_line(lines_[first - 1]))
    erase_lines(first - 1, first - 1);
  parse();
  return true;
}

}  // namespace agentrt::engines
