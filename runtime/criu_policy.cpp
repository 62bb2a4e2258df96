#include "runtime/criu_policy.hpp"

#include <sstream>

#include "oci/support/error.hpp"

namespace agentrt::runtime::criu {
namespace {

// The value after "Name:\t" on its own line, or nullopt.
std::optional<std::string> status_field(const std::string& text, const std::string& name) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.compare(0, name.size() + 1, name + ":") != 0) continue;
    size_t start = line.find_first_not_of(" \t", name.size() + 1);
    return start == std::string::npos ? std::string() : line.substr(start);
  }
  return std::nullopt;
}

unsigned long long number_field(const std::string& text, const std::string& name, int base) {
  auto value = status_field(text, name);
  if (!value) throw Error("/proc status: no " + name + " field", EINVAL);
  try {
    return std::stoull(*value, nullptr, base);
  } catch (const std::exception&) {
    throw Error("/proc status: " + name + " is not a number: \"" + *value + "\"", EINVAL);
  }
}

std::string hex(unsigned long long v) {
  std::ostringstream out;
  out << std::hex << v;
  return out.str();
}

}  // namespace

ProcessPolicy parse_process_policy(const std::string& status_text) {
  ProcessPolicy p;
  p.seccomp_mode = static_cast<int>(number_field(status_text, "Seccomp", 10));
  // Seccomp_filters appeared in Linux 5.9; before it a filter mode means at least one.
  if (status_field(status_text, "Seccomp_filters"))
    p.seccomp_filters = static_cast<int>(number_field(status_text, "Seccomp_filters", 10));
  else
    p.seccomp_filters = p.seccomp_mode == 2 ? 1 : 0;
  p.no_new_privs = number_field(status_text, "NoNewPrivs", 10) != 0;
  p.cap_bounding = number_field(status_text, "CapBnd", 16);
  p.cap_effective = number_field(status_text, "CapEff", 16);
  p.cap_permitted = number_field(status_text, "CapPrm", 16);
  return p;
}

nlohmann::json to_json(const ProcessPolicy& p) {
  return {{"seccompMode", p.seccomp_mode},        {"seccompFilters", p.seccomp_filters},
          {"noNewPrivileges", p.no_new_privs},    {"capBounding", hex(p.cap_bounding)},
          {"capEffective", hex(p.cap_effective)}, {"capPermitted", hex(p.cap_permitted)}};
}

ProcessPolicy policy_from_json(const nlohmann::json& j) {
  try {
    ProcessPolicy p;
    p.seccomp_mode = j.at("seccompMode").get<int>();
    p.seccomp_filters = j.at("seccompFilters").get<int>();
    p.no_new_privs = j.at("noNewPrivileges").get<bool>();
    p.cap_bounding = std::stoull(j.at("capBounding").get<std::string>(), nullptr, 16);
    p.cap_effective = std::stoull(j.at("capEffective").get<std::string>(), nullptr, 16);
    p.cap_permitted = std::stoull(j.at("capPermitted").get<std::string>(), nullptr, 16);
    return p;
  } catch (const std::exception& e) {
    throw Error(std::string(kPolicyFile) + ": " + e.what(), EINVAL);
  }
}

std::vector<std::string> policy_losses(const ProcessPolicy& before, const ProcessPolicy& after) {
  std::vector<std::string> losses;
  auto at_both = [](const std::string& what, const std::string& b, const std::string& a) {
    return what + ": " + b + " at checkpoint, " + a + " restored";
  };
  if (after.seccomp_mode != before.seccomp_mode)
    losses.push_back(
        at_both("seccomp mode", std::to_string(before.seccomp_mode), std::to_string(after.seccomp_mode)));
  if (after.seccomp_filters < before.seccomp_filters)
    losses.push_back(at_both("seccomp filters", std::to_string(before.seccomp_filters),
                             std::to_string(after.seccomp_filters)));
  if (before.no_new_privs && !after.no_new_privs) losses.push_back(at_both("no_new_privs", "1", "0"));
  // A capability set may only shrink: a bit restored that was not there is a gain of privilege.
  auto caps = [&](const char* what, unsigned long long b, unsigned long long a) {
    if (a & ~b) losses.push_back(at_both(what, hex(b), hex(a)));
  };
  caps("bounding capabilities", before.cap_bounding, after.cap_bounding);
  caps("effective capabilities", before.cap_effective, after.cap_effective);
  caps("permitted capabilities", before.cap_permitted, after.cap_permitted);
  return losses;
}

}  // namespace agentrt::runtime::criu
