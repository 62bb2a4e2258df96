#include <cstdint>
#include <limits>
#include <sstream>

#include "cgroups/stats.hpp"

namespace agentrt::cgroups {

uint64_t parse_number(const std::string& text) {
  std::istringstream in(text);
  std::string tok;
  if (!(in >> tok)) return 0;
  if (tok == "max") return std::numeric_limits<uint64_t>::max();
  try {
    return std::stoull(tok);
  } catch (const std::exception&) {
    return 0;
  }
}

std::map<std::string, uint64_t> parse_flat_keyed(const std::string& text) {
  std::map<std::string, uint64_t> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream ls(line);
    std::string key, value;
    if (ls >> key >> value) out[key] = parse_number(value);
  }
  return out;
}

nlohmann::json parse_blkio_v1(const std::string& text) {
  nlohmann::json out = nlohmann::json::array();
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream ls(line);
    std::string dev, op;
    uint64_t value = 0;
    if (!(ls >> dev >> op >> value)) continue;
    size_t colon = dev.find(':');
    if (colon == std::string::npos) continue;
    out.push_back({{"major", std::stoull(dev.substr(0, colon))},
                   {"minor", std::stoull(dev.substr(colon + 1))},
                   {"op", op},
                   {"value", value}});
  }
  return out;
}

nlohmann::json parse_io_stat(const std::string& text) {
  nlohmann::json bytes = nlohmann::json::array(), ios = nlohmann::json::array();
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream ls(line);
    std::string dev, kv;
    if (!(ls >> dev)) continue;
    size_t colon = dev.find(':');
    if (colon == std::string::npos) continue;
    uint64_t major = std::stoull(dev.substr(0, colon)), minor = std::stoull(dev.substr(colon + 1));
    while (ls >> kv) {
      size_t eq = kv.find('=');
      if (eq == std::string::npos) continue;
      std::string key = kv.substr(0, eq);
      uint64_t value = parse_number(kv.substr(eq + 1));
      auto entry = [&](const char* op) {
        return nlohmann::json{{"major", major}, {"minor", minor}, {"op", op}, {"value", value}};
      };
      if (key == "rbytes") bytes.push_back(entry("Read"));
      if (key == "wbytes") bytes.push_back(entry("Write"));
      if (key == "rios") ios.push_back(entry("Read"));
      if (key == "wios") ios.push_back(entry("Write"));
    }
  }
  nlohmann::json out = nlohmann::json::object();
  if (!bytes.empty()) out["ioServiceBytesRecursive"] = bytes;
  if (!ios.empty()) out["ioServicedRecursive"] = ios;
  return out;
}

}  // namespace agentrt::cgroups
