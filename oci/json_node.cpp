#include "oci/json_node.hpp"

namespace agentrt::oci::detail {

using nlohmann::json;

std::string describe(const json& v) {
  if (v.is_number_float()) return "number " + v.dump();
  return v.type_name();
}

std::string join_path(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

bool is_absolute(const std::string& path) {
  return !path.empty() && path.front() == '/';
}

void Node::fail(const std::string& message) const {
  throw SpecError(path_.empty() ? message : path_ + ": " + message);
}

const Node& Node::required() const {
  if (!present()) fail("required");
  return *this;
}

const Node& Node::object() const {
  expect(json::value_t::object, "object");
  return *this;
}

void Node::expect(json::value_t type, const char* name) const {
  required();
  if (value_->type() != type) fail(std::string("expected ") + name + ", got " + describe(*value_));
}

Node Node::operator[](const char* key) const {
  std::string child = join_path(path_, key);
  if (!present()) return Node(nullptr, std::move(child));
  expect(json::value_t::object, "object");
  auto it = value_->find(key);
  return Node(it == value_->end() ? nullptr : &*it, std::move(child));
}

std::vector<Node> Node::items() const {
  std::vector<Node> out;
  if (!present()) return out;
  expect(json::value_t::array, "array");
  out.reserve(value_->size());
  for (size_t i = 0; i < value_->size(); ++i)
    out.emplace_back(&(*value_)[i], path_ + "[" + std::to_string(i) + "]");
  return out;
}

std::vector<std::pair<std::string, Node>> Node::members() const {
  std::vector<std::pair<std::string, Node>> out;
  if (!present()) return out;
  expect(json::value_t::object, "object");
  for (auto it = value_->begin(); it != value_->end(); ++it)
    out.emplace_back(it.key(), Node(&it.value(), join_path(path_, it.key())));
  return out;
}

std::string Node::str() const {
  expect(json::value_t::string, "string");
  return value_->get<std::string>();
}

bool Node::boolean() const {
  expect(json::value_t::boolean, "boolean");
  return value_->get<bool>();
}

std::vector<std::string> Node::str_list() const {
  std::vector<std::string> out;
  for (const Node& item : items()) out.push_back(item.str());
  return out;
}

std::map<std::string, std::string> Node::str_map() const {
  std::map<std::string, std::string> out;
  for (const auto& [key, value] : members()) out[key] = value.str();
  return out;
}

std::optional<std::string> Node::opt_str() const {
  if (!present()) return std::nullopt;
  return str();
}

std::optional<bool> Node::opt_bool() const {
  if (!present()) return std::nullopt;
  return boolean();
}

int64_t Node::check_signed(int64_t min, int64_t max) const {
  required();
  if (!value_->is_number_integer()) fail("expected integer, got " + describe(*value_));
  if (value_->is_number_unsigned() && value_->get<uint64_t>() > static_cast<uint64_t>(max))
    fail("expected integer in range [" + std::to_string(min) + ", " + std::to_string(max) + "], got " +
         value_->dump());
  int64_t v = value_->get<int64_t>();
  if (v < min || v > max)
    fail("expected integer in range [" + std::to_string(min) + ", " + std::to_string(max) + "], got " +
         value_->dump());
  return v;
}

uint64_t Node::check_unsigned(uint64_t max) const {
  required();
  if (!value_->is_number_integer()) fail("expected integer, got " + describe(*value_));
  if (!value_->is_number_unsigned() && value_->get<int64_t>() < 0)
    fail("expected non-negative integer, got " + value_->dump());
  uint64_t v = value_->get<uint64_t>();
  if (v > max) fail("expected integer in range [0, " + std::to_string(max) + "], got " + value_->dump());
  return v;
}

}  // namespace agentrt::oci::detail
