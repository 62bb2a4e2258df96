#include "runtime/container_config.hpp"

#include <climits>
#include <cstdlib>

#include "oci/parse.hpp"
#include "oci/support/error.hpp"
#include "oci/support/fs.hpp"
#include "runtime/agent_policy.hpp"
#include "runtime/container_policy.hpp"
#include "seccomp/arch.hpp"

namespace agentrt::runtime {
namespace {

std::string real_path(const std::string& p, const std::string& what) {
  char buf[PATH_MAX];
  if (!::realpath(p.c_str(), buf)) throw sys_error(what + ": " + p);
  return buf;
}

void require_runnable(const oci::Spec& spec) {
  if (!spec.process) throw Error("config.json: process: required");
  if (!spec.linux) throw Error("config.json: linux: required");
}

}  // namespace

ContainerConfig load_container_config(const Context& ctx, const std::string& bundle) {
  ContainerConfig cc;
  cc.bundle = real_path(bundle, "bundle");
  std::string config_path = cc.bundle + "/config.json";
  std::string& text = cc.raw_text;
  try {
    text = fs::read_file(config_path);
  } catch (const Error& e) {
    throw e.wrap("config.json");
  }
  try {
    cc.raw = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    throw Error(std::string("config.json: invalid JSON: ") + e.what());
  }
  try {
    cc.spec = oci::parse_spec(cc.raw);
  } catch (const Error& e) {
    throw e.wrap("config.json");
  }
  require_runnable(cc.spec);
  // Before the agent policy, which replaces the list with the native architecture.
  if (cc.spec.linux->seccomp) {
    try {
      seccomp::check_architecture_names(cc.spec.linux->seccomp->architectures);
    } catch (const Error& e) {
      throw e.wrap("config.json");
    }
  }
  cc.asked_resources = cc.spec.linux->resources;
  policy::ProfileChoice choice = policy::choose_profile(cc.spec, ctx.profile_flag);
  const std::string& root = cc.spec.root.path;
  cc.rootfs = root.empty() || root[0] != '/' ? cc.bundle + "/" + root : root;
  // Before the agent policy: the audit setting decides how the seccomp floor answers.
  ContainerPolicy extra = plan_container_policy(ctx, cc.spec, choice.profile, cc.rootfs);
  policy::PolicyReport report = policy::apply_agent_policy(cc.spec, choice.profile, extra.audit);
  report.minimum = policy::to_string(choice.minimum);
  report.minimum_source = choice.minimum_source;
  cc.policy = report.to_json();
  if (extra.audit) {
    cc.policy["audit"]["setBy"] = extra.audit_source;
    if (!cc.policy["audit"].contains("seccomp")) cc.policy["audit"]["seccomp"] = "none";  // profile off
  }
  cc.floor_filter = std::move(report.floor_filter);
  if (!extra.filesystem.is_null()) cc.policy["filesystem"] = std::move(extra.filesystem);
  if (!extra.network.is_null()) cc.policy["network"] = std::move(extra.network);
  cc.landlock = std::move(extra.landlock);
  cc.egress = std::move(extra.egress);
  return cc;
}

}  // namespace agentrt::runtime
