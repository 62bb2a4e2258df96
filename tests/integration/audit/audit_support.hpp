#pragma once
// Containers with the threat probe under audit, and their audit logs.
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "integration/seccomp/container.hpp"
#include "integration_support/census.hpp"

namespace audit_test {

using namespace agentrt::seccomp::itest;
namespace fsys = std::filesystem;
using nlohmann::json;

inline std::string tag() {
  return "audit-" + std::to_string(::getpid());
}

inline fsys::path log_of(const Bundle& b, const std::string& id) {
  return fsys::path(state_root(b)) / ".audit" / (id + ".jsonl");
}

inline std::vector<json> records(const Bundle& b, const std::string& id) {
  std::vector<json> out;
  std::ifstream in(log_of(b, id));
  for (std::string line; std::getline(in, line);) out.push_back(json::parse(line));
  return out;
}

inline std::vector<json> seccomp_records(const std::vector<json>& all) {
  std::vector<json> out;
  for (const auto& r : all)
    if (r.value("source", "") == "seccomp") out.push_back(r);
  return out;
}

// The pids the runtime's notices name as supervisors ("supervisor N answers ...").
inline std::vector<pid_t> supervisors(const std::vector<json>& all) {
  std::vector<pid_t> out;
  for (const auto& r : all) {
    std::string n = r.value("notice", "");
    if (n.rfind("supervisor ", 0) == 0) out.push_back(std::stoi(n.substr(11)));
  }
  return out;
}

inline bool gone_within(pid_t pid, double seconds) {
  auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < until) {
    if (::kill(pid, 0) != 0) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return ::kill(pid, 0) != 0;
}

inline std::string read_text(const fsys::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace audit_test
