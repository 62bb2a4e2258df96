#pragma once
// Shared fixtures for the oci unit tests.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "oci/parse.hpp"
#include "oci/spec.hpp"

namespace agentrt::oci::test {

// The smallest config.json parse_spec() accepts.
inline nlohmann::json minimal() {
  return {{"ociVersion", "1.2.0"}, {"root", {{"path", "rootfs"}}}};
}

// minimal() plus a valid process.
inline nlohmann::json with_process() {
  nlohmann::json j = minimal();
  j["process"] = {{"args", nlohmann::json::array({"sh"})}, {"cwd", "/"}};
  return j;
}

// Returns j with the value at the JSON pointer replaced (created if missing).
inline nlohmann::json set(nlohmann::json j, const std::string& pointer, nlohmann::json value) {
  j[nlohmann::json::json_pointer(pointer)] = std::move(value);
  return j;
}

// The message of the SpecError parse_spec() throws, or "<no error>".
inline std::string spec_error(const nlohmann::json& j) {
  try {
    parse_spec(j);
  } catch (const SpecError& e) {
    return e.what();
  }
  return "<no error>";
}

// A spec mount as config.json's mounts[] would give it.
inline Mount mnt(std::string dest, std::string type, std::string source, std::vector<std::string> options) {
  Mount m;
  m.destination = std::move(dest);
  m.type = std::move(type);
  m.source = std::move(source);
  m.options = std::move(options);
  return m;
}

}  // namespace agentrt::oci::test
