// process (config.json) and the process.json of `exec --process`.
#include <linux/limits.h>

#include <algorithm>
#include <array>
#include <set>

#include "oci/parse_internal.hpp"

namespace agentrt::oci {
namespace detail {
namespace {

template <size_t N>
bool one_of(const std::string& value, const std::array<const char*, N>& allowed) {
  return std::any_of(allowed.begin(), allowed.end(), [&](const char* a) { return value == a; });
}

User parse_user(const Node& n) {
  User u;
  u.uid = n["uid"].opt_int<uint32_t>().value_or(0);
  u.gid = n["gid"].opt_int<uint32_t>().value_or(0);
  u.umask = n["umask"].opt_int<uint32_t>();
  Node gids = n["additionalGids"];
  for (const Node& g : gids.items()) u.additional_gids.push_back(g.integer<uint32_t>());
  if (u.additional_gids.size() > NGROUPS_MAX)
    gids.fail(std::to_string(u.additional_gids.size()) + " groups, more than the kernel's NGROUPS_MAX (" +
              std::to_string(NGROUPS_MAX) + ")");
  u.username = n["username"].str_or("");
  return u;
}

std::vector<std::string> parse_env(const Node& n) {
  std::vector<std::string> env;
  for (const Node& item : n.items()) {
    std::string kv = c_string(item);
    auto eq = kv.find('=');
    if (eq == std::string::npos) item.fail("invalid environment variable \"" + kv + "\": missing '='");
    if (eq == 0) item.fail("invalid environment variable \"" + kv + "\": name cannot be empty");
    env.push_back(std::move(kv));
  }
  return env;
}

std::vector<int> parse_capability_set(const Node& n) {
  std::vector<int> caps;
  for (const Node& item : n.items()) {
    std::string name = item.str();
    auto cap = capability_from_name(name);
    if (!cap) item.fail("unknown capability \"" + name + "\"");
    if (std::find(caps.begin(), caps.end(), *cap) == caps.end()) caps.push_back(*cap);
  }
  return caps;
}

Capabilities parse_capabilities(const Node& n) {
  Capabilities c;
  c.bounding = parse_capability_set(n["bounding"]);
  c.effective = parse_capability_set(n["effective"]);
  c.inheritable = parse_capability_set(n["inheritable"]);
  c.permitted = parse_capability_set(n["permitted"]);
  c.ambient = parse_capability_set(n["ambient"]);
  // capset(2) refuses an effective set that is not a subset of the permitted set (EPERM).
  for (int cap : c.effective)
    if (std::find(c.permitted.begin(), c.permitted.end(), cap) == c.permitted.end())
      n["effective"].fail(capability_name(cap) +
                          " is not in the permitted set (process.capabilities.permitted)");
  return c;
}

std::vector<Rlimit> parse_rlimits(const Node& n) {
  std::vector<Rlimit> out;
  std::set<std::string> seen;
  for (const Node& item : n.items()) {
    Rlimit r;
    Node type = item["type"];
    r.type = type.required().str();
    auto resource = rlimit_from_name(r.type);
    if (!resource) type.fail("unknown rlimit \"" + r.type + "\"");
    if (!seen.insert(r.type).second) type.fail("duplicate rlimit \"" + r.type + "\"");
    r.resource = *resource;
    r.hard = item["hard"].required().integer<uint64_t>();
    r.soft = item["soft"].required().integer<uint64_t>();
    if (r.soft > r.hard)
      item.fail("soft limit " + std::to_string(r.soft) + " exceeds hard limit " + std::to_string(r.hard));
    out.push_back(std::move(r));
  }
  return out;
}

IoPriority parse_io_priority(const Node& n) {
  static constexpr std::array<const char*, 3> kClasses{"IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE",
                                                       "IOPRIO_CLASS_IDLE"};
  IoPriority p;
  Node cls = n["class"];
  p.io_class = cls.required().str();
  if (!one_of(p.io_class, kClasses)) cls.fail("unknown class \"" + p.io_class + "\"");
  Node prio = n["priority"];
  p.priority = prio.opt_int<int>().value_or(0);
  if (p.priority < 0 || p.priority > 7)
    prio.fail("expected integer in range [0, 7], got " + std::to_string(p.priority));
  return p;
}

Scheduler parse_scheduler(const Node& n) {
  static constexpr std::array<const char*, 7> kPolicies{
      "SCHED_OTHER", "SCHED_FIFO", "SCHED_RR", "SCHED_BATCH", "SCHED_ISO", "SCHED_IDLE", "SCHED_DEADLINE"};
  static constexpr std::array<const char*, 7> kFlags{"SCHED_FLAG_RESET_ON_FORK", "SCHED_FLAG_RECLAIM",
                                                     "SCHED_FLAG_DL_OVERRUN",    "SCHED_FLAG_KEEP_POLICY",
                                                     "SCHED_FLAG_KEEP_PARAMS",   "SCHED_FLAG_UTIL_CLAMP_MIN",
                                                     "SCHED_FLAG_UTIL_CLAMP_MAX"};
  Scheduler s;
  Node policy = n["policy"];
  s.policy = policy.required().str();
  if (!one_of(s.policy, kPolicies)) policy.fail("unknown policy \"" + s.policy + "\"");
  Node nice = n["nice"];
  s.nice = nice.opt_int<int32_t>().value_or(0);
  if (s.nice < -20 || s.nice > 19)
    nice.fail("expected integer in range [-20, 19], got " + std::to_string(s.nice));
  s.priority = n["priority"].opt_int<int32_t>().value_or(0);
  for (const Node& flag : n["flags"].items()) {
    std::string f = flag.str();
    if (!one_of(f, kFlags)) flag.fail("unknown flag \"" + f + "\"");
    s.flags.push_back(std::move(f));
  }
  s.runtime = n["runtime"].opt_int<uint64_t>().value_or(0);
  s.deadline = n["deadline"].opt_int<uint64_t>().value_or(0);
  s.period = n["period"].opt_int<uint64_t>().value_or(0);
  return s;
}

}  // namespace

Process parse_process(const Node& n) {
  n.object();
  Process p;
  p.terminal = n["terminal"].bool_or(false);
  if (Node cs = n["consoleSize"]; cs.present())
    p.console_size =
        ConsoleSize{cs["height"].required().integer<uint32_t>(), cs["width"].required().integer<uint32_t>()};
  p.user = parse_user(n["user"]);
  Node args = n["args"];
  args.required();
  for (const Node& a : args.items()) p.args.push_back(c_string(a));
  if (p.args.empty()) args.fail("must not be empty");
  p.command_line = n["commandLine"].str_or("");
  p.env = parse_env(n["env"]);
  Node cwd = n["cwd"];
  p.cwd = cwd.required().str();
  if (!is_absolute(p.cwd)) cwd.fail("must be an absolute path, got \"" + p.cwd + "\"");
  if (Node caps = n["capabilities"]; caps.present()) p.capabilities = parse_capabilities(caps);
  p.rlimits = parse_rlimits(n["rlimits"]);
  p.no_new_privileges = n["noNewPrivileges"].bool_or(false);
  p.apparmor_profile = n["apparmorProfile"].str_or("");
  if (Node oom = n["oomScoreAdj"]; oom.present()) {
    int v = oom.integer<int>();
    if (v < -1000 || v > 1000) oom.fail("expected integer in range [-1000, 1000], got " + std::to_string(v));
    p.oom_score_adj = v;
  }
  p.selinux_label = n["selinuxLabel"].str_or("");
  if (Node io = n["ioPriority"]; io.present()) p.io_priority = parse_io_priority(io);
  if (Node sched = n["scheduler"]; sched.present()) p.scheduler = parse_scheduler(sched);
  return p;
}

}  // namespace detail

Process parse_process(const nlohmann::json& j, const std::string& path) {
  return detail::parse_process(detail::Node(&j, path));
}

}  // namespace agentrt::oci
