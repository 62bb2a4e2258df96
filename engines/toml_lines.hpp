#pragma once
// A line-based editor for TOML files, written by hand because no allowed dependency reads TOML, and TOML
// libraries drop comments and reorder keys when they write a document back. It only understands the file
// down to statements (table headers and `key = value`, values possibly spanning lines); it edits whole
// statements and keeps every other line byte for byte.
#include <optional>
#include <string>
#include <vector>

namespace agentrt::engines {

// `name` as a TOML key: bare when it can be, else a quoted basic string.
std::string toml_key(const std::string& name);
// `s` as a TOML basic string, quotes included.
std::string toml_string(const std::string& s);

class TomlLines {
 public:
  // Throws an Error "<file>:<line>: ..." for a statement it cannot read.
  TomlLines(const std::string& text, const std::string& file);

  std::string text() const;
  // True when the file holds no table and no key (only blank lines and comments, or nothing).
  bool has_statements() const;

  // Tables are named as in their header without spaces around the dots: plugins."io.containerd".x; the
  // top-level table is "". A key's value is its text with the comment and surrounding blanks removed.
  std::optional<std::string> value(const std::string& table, const std::string& key) const;
  bool has_table(const std::string& table) const;
  size_t key_count(const std::string& table) const;
  // The 1-based line of a key in `table` that is `key` or a dotted key below it (key.x = ...), if any: a
  // table defined that way cannot also get a [table.key] header.
  std::optional<size_t> dotted_definition(const std::string& table, const std::string& key) const;
  // Whether any comment line sits inside the table's body.
  bool table_has_comments(const std::string& table) const;

  // key = value in table: replaces the statement, adds it after the table's last key, or appends the
  // table at the end of the file. Returns false when the key already had exactly that value.
  bool set(const std::string& table, const std::string& key, const std::string& value);
  bool remove_key(const std::string& table, const std::string& key);
  // Removes the header and the key statements of the table; comment lines after its last key stay.
  bool remove_table(const std::string& table);

 private:
  enum class Kind { blank, header, key };
  struct Statement {
    Kind kind;
    size_t first, last;  // line indexes, inclusive
    std::string table;   // for a header: its name; for a key: the table it belongs to
    std::string key;
    std::string value;
  };
  struct Range {
    size_t header;                // statement index of the header, or npos for the top-level table
    size_t body_begin, body_end;  // statement indexes [begin, end)
  };

  void parse();
  std::optional<Range> find_table(const std::string& table) const;
  std::optional<size_t> find_key(const Range& r, const std::string& key) const;
  void erase_lines(size_t first, size_t last);

  std::string file_;
  std::vector<std::string> lines_;
  bool trailing_newline_ = true;
  std::vector<Statement> statements_;
};

}  // namespace agentrt::engines
