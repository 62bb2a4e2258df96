#include "seccomp/agent_policy.hpp"

#include <algorithm>

#include "oci/parse.hpp"
#include "oci/support/error.hpp"
#include "oci/support/fs.hpp"
#include "seccomp/agent_profile.hpp"
#include "seccomp/arch.hpp"
#include "seccomp/layer.hpp"
#include "seccomp/ruleset.hpp"

namespace agentrt::policy {
namespace {

constexpr std::pair<Profile, const char*> kNames[] = {
    {Profile::agent_default, "agent-default"}, {Profile::agent_dev, "agent-dev"},
    {Profile::agent_nested, "agent-nested"},   {Profile::off, "off"},
    {Profile::agent_locked, "agent-locked"},
};

// The seccomp floor, capabilities and pids limit of a profile (agent-locked's are agent-default's).
std::string floor_profile_name(Profile p) {
  return p == Profile::agent_locked ? "agent-default" : to_string(p);
}

Profile parse_named(const std::string& name, const std::string& source) {
  auto p = profile_from_name(name);
  if (!p)
    throw Error(source + ": unknown profile \"" + name +
                "\" (expected agent-default, agent-locked, agent-dev, agent-nested or off)");
  return *p;
}

std::optional<std::string> config_profile(const std::string& config_path) {
  auto text = fs::read_file_if_exists(config_path);
  if (!text) return std::nullopt;
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(*text);
  } catch (const nlohmann::json::exception& e) {
    throw Error(config_path + ": " + e.what());
  }
  if (!j.is_object() || !j.contains("profile")) return std::nullopt;
  if (!j.at("profile").is_string()) throw Error(config_path + ": profile: expected string");
  return j.at("profile").get<std::string>();
}

void drop_capabilities(oci::Process& proc, const std::vector<std::string>& names, PolicyReport& report) {
  if (!proc.capabilities) return;
  auto& caps = *proc.capabilities;
  std::pair<std::vector<int>*, const char*> sets[] = {{&caps.bounding, "bounding"},
                                                      {&caps.effective, "effective"},
                                                      {&caps.inheritable, "inheritable"},
                                                      {&caps.permitted, "permitted"},
                                                      {&caps.ambient, "ambient"}};
  for (const auto& name : names) {
    int cap = *oci::capability_from_name(name);
    std::string from;
    for (auto& [set, set_name] : sets) {
      auto it = std::remove(set->begin(), set->end(), cap);
      if (it == set->end()) continue;
      set->erase(it, set->end());
      from += (from.empty() ? "" : ", ") + std::string(set_name);
    }
    if (!from.empty()) report.changes.push_back("capabilities: dropped " + name + " from " + from);
  }
}

// 0 and negative limits mean "unlimited" in the spec.
bool pids_unlimited(const std::optional<oci::PidsResources>& pids) {
  return !pids || pids->limit <= 0;
}

void limit_pids(oci::Linux& linux, int64_t limit, PolicyReport& report) {
  if (limit <= 0) return;
  if (!linux.resources) linux.resources.emplace();
  auto& pids = linux.resources->pids;
  if (!pids_unlimited(pids)) return;
  pids = oci::PidsResources{limit};
  report.changes.push_back("resources: pids limit set to " + std::to_string(limit));
}

void keep(seccomp::Layering layered, oci::Linux& linux, PolicyReport& report) {
  linux.seccomp = std::move(layered.filter);
  report.seccomp_layering = layered.floor_filter ? "stacked" : "merged";
  report.stacked_reason = std::move(layered.stacked_reason);
  report.floor_filter = std::move(layered.floor_filter);
}

bool asks_listener(const oci::Seccomp& s) {
  if (!s.listener_path.empty()) return true;
  return std::any_of(s.syscalls.begin(), s.syscalls.end(),
                     [](const oci::SeccompSyscall& sc) { return sc.action == oci::SeccompAction::notify; });
}

void harden_seccomp(oci::Linux& linux, const seccomp::AgentProfile& floor, bool audit, PolicyReport& report) {
  seccomp::AgentProfile audited;
  const seccomp::AgentProfile* use = &floor;
  if (audit && linux.seccomp && asks_listener(*linux.seccomp)) {
    report.seccomp_audit = "engine-listener";
  } else if (audit) {
    audited = seccomp::audit_floor(floor);
    use = &audited;
    report.seccomp_audit = "notify";
  }
  const seccomp::AgentProfile& profile = *use;
  if (linux.seccomp) {
    keep(seccomp::layer_floor(*linux.seccomp, profile, report.changes), linux, report);
    return;
  }
  // The base allowlist is the profile's own: which of its rules the floor replaced is no news.
  std::vector<std::string> changes;
  keep(seccomp::layer_floor(seccomp::base_filter(), profile, changes), linux, report);
  report.changes.push_back("seccomp: the spec has no filter, using the full " + profile.name + " filter");
  for (auto& c : changes)
    if (c.rfind("seccomp: replaced the spec's", 0) != 0) report.changes.push_back(std::move(c));
}

}  // namespace

std::optional<Profile> profile_from_name(const std::string& name) {
  for (const auto& [p, n] : kNames)
    if (name == n) return p;
  return std::nullopt;
}

const char* to_string(Profile p) {
  for (const auto& [q, n] : kNames)
    if (p == q) return n;
  return "unknown";
}

bool at_least_as_strict(Profile p, Profile minimum) {
  if (p == minimum || p == Profile::agent_locked || minimum == Profile::off) return true;
  return p == Profile::agent_default && minimum != Profile::agent_locked;
}

ProfileChoice choose_profile(const oci::Spec& spec, const std::string& flag_value,
                             const std::string& config_path) {
  ProfileChoice choice{Profile::agent_default, Profile::agent_default, "default"};
  if (!flag_value.empty()) {
    choice.minimum = parse_named(flag_value, "--profile");
    choice.minimum_source = "--profile";
  } else if (auto name = config_profile(config_path)) {
    choice.minimum = parse_named(*name, config_path + ": profile");
    choice.minimum_source = config_path;
  }
  choice.profile = choice.minimum;
  auto ann = spec.annotations.find(kProfileAnnotation);
  if (ann == spec.annotations.end()) return choice;
  const std::string source = std::string("annotation ") + kProfileAnnotation;
  Profile asked = parse_named(ann->second, source);
  if (!at_least_as_strict(asked, choice.minimum)) {
    std::vector<std::string> names = {to_string(choice.minimum)};
    if (choice.minimum != Profile::agent_default && choice.minimum != Profile::agent_locked)
      names.push_back("agent-default");
    if (choice.minimum != Profile::agent_locked) names.push_back("agent-locked");
    std::string allowed = names[0];
    for (size_t i = 1; i < names.size(); ++i) allowed += (i + 1 == names.size() ? " or " : ", ") + names[i];
    throw Error(source + ": \"" + ann->second + "\" is less strict than the minimum profile \"" +
                to_string(choice.minimum) + "\" set by " + choice.minimum_source +
                "; an annotation may only tighten it (allowed: " + allowed + ")");
  }
  choice.profile = asked;
  return choice;
}

Profile select_profile(const oci::Spec& spec, const std::string& flag_value, const std::string& config_path) {
  return choose_profile(spec, flag_value, config_path).profile;
}

nlohmann::json PolicyReport::to_json() const {
  nlohmann::json j = {{"profile", profile}, {"changes", changes}};
  if (!minimum.empty()) {
    j["minimum"] = minimum;
    j["minimumSetBy"] = minimum_source;
  }
  if (!seccomp_layering.empty()) {
    j["seccompLayering"] = {{"mode", seccomp_layering}};
    if (!stacked_reason.empty()) j["seccompLayering"]["reason"] = stacked_reason;
  }
  if (!seccomp_audit.empty()) j["audit"] = {{"seccomp", seccomp_audit}};
  return j;
}

Profile recorded_profile(const nlohmann::json& report_json, const std::string& id) {
  std::string name = report_json.is_object() ? report_json.value("profile", "off") : "off";
  auto p = profile_from_name(name);
  if (!p) throw Error("state of " + id + ": unknown agent profile " + name);
  return *p;
}

std::string clamp_pids_update(oci::Resources& resources, Profile p) {
  if (p == Profile::off || !resources.pids || !pids_unlimited(resources.pids)) return "";
  int64_t limit = seccomp::load_agent_profile(floor_profile_name(p)).pids_limit;
  if (limit <= 0) return "";
  std::string asked = std::to_string(resources.pids->limit);
  resources.pids->limit = limit;
  return "pids limit " + asked + " (unlimited) is not allowed under the " + std::string(to_string(p)) +
         " profile: set to " + std::to_string(limit);
}

std::vector<seccomp::AuditedCall> audited_calls(Profile p) {
  std::vector<seccomp::AuditedCall> out;
  if (p == Profile::off) return out;
  for (const auto& f : seccomp::load_agent_profile(floor_profile_name(p)).floor) {
    if (f.action != oci::SeccompAction::errno_ret) continue;
    if (auto nr = seccomp::native_syscall_number(f.syscall))
      out.push_back({*nr, seccomp::to_action(f.action, f.errno_ret).errno_ret, f.syscall});
  }
  return out;
}

PolicyReport apply_agent_policy(oci::Spec& spec, Profile p, bool audit) {
  PolicyReport report;
  report.profile = to_string(p);
  if (p == Profile::off) return report;
  auto profile = seccomp::load_agent_profile(floor_profile_name(p));
  if (spec.process) {
    if (!spec.process->no_new_privileges) {
      spec.process->no_new_privileges = true;
      report.changes.push_back("process: noNewPrivileges set");
    }
    drop_capabilities(*spec.process, profile.drop_capabilities, report);
  }
  if (!spec.linux) spec.linux.emplace();
  limit_pids(*spec.linux, profile.pids_limit, report);
  harden_seccomp(*spec.linux, profile, audit, report);
  if (report.seccomp_audit == "notify" && report.floor_filter)
    // Across filters the kernel ranks ERRNO above USER_NOTIF: only the merged program can rank them as one.
    report.changes.push_back(
        "audit: the floor is stacked, so a call the engine's own filter also denies gets the engine's answer "
        "and no audit record");
  return report;
}

}  // namespace agentrt::policy
