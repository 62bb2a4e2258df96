#pragma once
// The seccomp profiles container engines hand to a runtime, as OCI linux.seccomp JSON: Docker's current
// default, the older moby one, the OCI runtime-tools validation default, and Podman's (containers-common).
// Header-only so unit and integration tests share it. Needs AGENTRT_SOURCE_DIR.
#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace agentrt::test {

inline nlohmann::json read_json_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  return nlohmann::json::parse(in);
}

// bench/docker-default-seccomp.json: what Docker generates for a default container.
inline nlohmann::json docker_default_seccomp() {
  return read_json_file(std::string(AGENTRT_SOURCE_DIR) + "/bench/docker-default-seccomp.json");
}

inline void set_clone_mask(nlohmann::json& seccomp, uint64_t mask) {
  for (auto& sc : seccomp["syscalls"])
    if (sc["names"] == nlohmann::json::array({"clone"}))
      for (auto& a : sc["args"]) a["value"] = mask;
}

// Docker/moby before CLONE_NEWCGROUP joined the clone mask: 2080505856 (0x7C020000).
inline nlohmann::json moby_old_seccomp() {
  auto s = docker_default_seccomp();
  set_clone_mask(s, 2080505856);
  return s;
}

// The runtime-tools validation default config's clone rule (MASKED_EQ 0x7C020000 on arg 0, value 0); it
// predates clone3, so it has no clone3 rule either (clone3 falls to the default action).
inline nlohmann::json runtime_tools_seccomp() {
  auto s = docker_default_seccomp();
  set_clone_mask(s, 0x7C020000);
  auto& calls = s["syscalls"];
  calls.erase(std::remove_if(
                  calls.begin(), calls.end(),
                  [](const nlohmann::json& sc) { return sc["names"] == nlohmann::json::array({"clone3"}); }),
              calls.end());
  return s;
}

// Podman's profile (moby format) resolved as Podman does for a container with its default capabilities on
// amd64: entries whose includes/excludes do not fit are dropped.
inline nlohmann::json podman_seccomp() {
  auto profile =
      read_json_file(std::string(AGENTRT_SOURCE_DIR) + "/tests/data/seccomp/containers-common-seccomp.json");
  const std::set<std::string> caps{"CAP_CHOWN",   "CAP_DAC_OVERRIDE",     "CAP_FOWNER",    "CAP_FSETID",
                                   "CAP_KILL",    "CAP_NET_BIND_SERVICE", "CAP_SETFCAP",   "CAP_SETGID",
                                   "CAP_SETPCAP", "CAP_SETUID",           "CAP_SYS_CHROOT"};
  auto has_all = [&](const nlohmann::json& list) {
    return std::all_of(list.begin(), list.end(),
                       [&](const auto& c) { return caps.count(c.template get<std::string>()); });
  };
  auto has_any = [&](const nlohmann::json& list) {
    return std::any_of(list.begin(), list.end(),
                       [&](const auto& c) { return caps.count(c.template get<std::string>()); });
  };
  auto arch_ok = [](const nlohmann::json& list, bool include) {
    bool amd64 = std::any_of(list.begin(), list.end(), [](const auto& a) { return a == "amd64"; });
    return include ? (list.empty() || amd64) : !amd64;
  };
  nlohmann::json out = {{"defaultAction", profile["defaultAction"]},
                        {"architectures", {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"}},
                        {"syscalls", nlohmann::json::array()}};
  if (profile.contains("defaultErrnoRet")) out["defaultErrnoRet"] = profile["defaultErrnoRet"];
  for (const auto& sc : profile["syscalls"]) {
    auto inc = sc.value("includes", nlohmann::json::object());
    auto exc = sc.value("excludes", nlohmann::json::object());
    if (!has_all(inc.value("caps", nlohmann::json::array())) ||
        has_any(exc.value("caps", nlohmann::json::array())))
      continue;
    if (!arch_ok(inc.value("arches", nlohmann::json::array()), true) ||
        !arch_ok(exc.value("arches", nlohmann::json::array()), false))
      continue;
    nlohmann::json rule = {
        {"names", sc.contains("names") ? sc["names"] : nlohmann::json::array({sc["name"]})},
        {"action", sc["action"]}};
    if (sc.contains("args") && !sc["args"].is_null() && !sc["args"].empty()) rule["args"] = sc["args"];
    if (sc.contains("errnoRet")) rule["errnoRet"] = sc["errnoRet"];
    out["syscalls"].push_back(rule);
  }
  return out;
}

struct EngineProfile {
  const char* name;
  nlohmann::json (*seccomp)();
};

inline std::vector<EngineProfile> engine_profiles() {
  return {{"docker-default", docker_default_seccomp},
          {"moby-old", moby_old_seccomp},
          {"podman", podman_seccomp},
          {"runtime-tools", runtime_tools_seccomp}};
}

}  // namespace agentrt::test
