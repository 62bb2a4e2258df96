#pragma once
// Internal to the oci module: a read-only cursor over a JSON value that knows its JSON path
// ("linux.resources.memory.limit"), so every conversion error can name the field it came from.
// A key that is missing or explicitly null counts as absent, as in the Go runtimes.
#include <cstdint>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "oci/parse.hpp"

namespace agentrt::oci::detail {

class Node {
 public:
  Node(const nlohmann::json* value, std::string path) : value_(value), path_(std::move(path)) {}

  const std::string& path() const { return path_; }
  bool present() const { return value_ != nullptr && !value_->is_null(); }
  const nlohmann::json& json() const { return *value_; }

  // Throws SpecError "<path>: <message>".
  [[noreturn]] void fail(const std::string& message) const;
  // Fails with "required" unless present; returns *this for chaining.
  const Node& required() const;
  // Fails unless present and an object; returns *this.
  const Node& object() const;

  // Member of an object; the node itself must be an object (absent stays absent).
  Node operator[](const char* key) const;
  std::vector<Node> items() const;                            // array elements
  std::vector<std::pair<std::string, Node>> members() const;  // object members, key order

  std::string str() const;
  bool boolean() const;
  std::vector<std::string> str_list() const;
  std::map<std::string, std::string> str_map() const;

  template <typename T>
  T integer() const {
    if constexpr (std::is_signed_v<T>) {
      return static_cast<T>(check_signed(std::numeric_limits<T>::min(), std::numeric_limits<T>::max()));
    } else {
      return static_cast<T>(check_unsigned(std::numeric_limits<T>::max()));
    }
  }

  // Absent -> nullopt / default; present -> converted with the checks above.
  std::optional<std::string> opt_str() const;
  std::optional<bool> opt_bool() const;
  template <typename T>
  std::optional<T> opt_int() const {
    if (!present()) return std::nullopt;
    return integer<T>();
  }
  std::string str_or(const std::string& fallback) const { return present() ? str() : fallback; }
  bool bool_or(bool fallback) const { return present() ? boolean() : fallback; }

 private:
  void expect(nlohmann::json::value_t type, const char* name) const;
  int64_t check_signed(int64_t min, int64_t max) const;
  uint64_t check_unsigned(uint64_t max) const;

  const nlohmann::json* value_;
  std::string path_;
};

// "got string", "got number 1.5": what a type error says about the value found.
std::string describe(const nlohmann::json& v);
// Joins a JSON path and a member name: ("", "root") -> "root", ("root", "path") -> "root.path".
std::string join_path(const std::string& path, const std::string& key);
bool is_absolute(const std::string& path);

}  // namespace agentrt::oci::detail
