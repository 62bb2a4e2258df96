// Differential test of the floor layering: for generated (engine profile, floor, syscall, arguments) cases,
// the layered program(s) must answer exactly what the engine's program and the floor stacked answer. The
// engine's answer comes from its own compiled program; the floor's from its regions directly (no libseccomp),
// and the two are combined with the kernel's precedence (bpf_eval.hpp stacked()).
#include <linux/sched.h>
#include <signal.h>
#include <sys/syscall.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <random>

#include "helpers.hpp"
#include "integration_support/engine_profiles.hpp"
#include "oci/support/error.hpp"
#include "seccomp/agent_profile.hpp"
#include "seccomp/layer.hpp"
#include "seccomp/ruleset.hpp"

using namespace agentrt;
using namespace agentrt::seccomp;
using namespace agentrt::seccomp::test;
using nlohmann::json;

namespace {

struct Syscall {
  const char* name;
  int nr;
};
const Syscall kSyscalls[] = {{"ioctl", SYS_ioctl},
                             {"socket", SYS_socket},
                             {"clone", SYS_clone},
                             {"ptrace", SYS_ptrace},
                             {"personality", SYS_personality},
                             {"mount", SYS_mount},
                             {"read", SYS_read},
                             {"getpid", SYS_getpid}};
const uint64_t kPool[] = {0,          1,
                          2,          8,
                          10,         16,
                          40,         0x20000,
                          0x7E020000, 0x7C020000,
                          0x10000000, 0x40000000,
                          0x7fffffff, 0xffffffff,
                          1ULL << 32, (1ULL << 32) | 2,
                          21522,      21532,
                          ~0ULL,      ~0ULL - 1,
                          0xff00,     0x8000000000000000ULL};

struct Gen {
  std::mt19937_64 rng;
  std::string last_floor;
  size_t rejected_floors = 0;
  uint64_t below(uint64_t n) { return rng() % n; }
  bool chance(int percent) { return below(100) < static_cast<uint64_t>(percent); }
  uint64_t value() {
    uint64_t v = kPool[below(std::size(kPool))];
    switch (below(6)) {
      case 0:
        return v + 1;
      case 1:
        return v - 1;
      case 2:
        return v | (1ULL << below(64));
      case 3:
        return rng();
      default:
        return v;
    }
  }
  // Floor list values are small, like the real floors': complement() covers each gap with masked blocks, and
  // libseccomp 2.5.4 takes minutes to build a few syscalls with a hundred such rules each.
  uint64_t small_value() {
    static const uint64_t small[] = {0, 1, 2, 3, 8, 9, 10, 16, 40, 0x20000, 0x20008};
    return small[below(std::size(small))];
  }
  // A few flags, or the clone masks engines use: libseccomp builds dozens of one-bit rules slowly.
  uint64_t bits() {
    static const uint64_t masks[] = {0x7E020000, 0x7C020000, 0x20000, 0x10000000};
    if (chance(30)) return masks[below(std::size(masks))];
    uint64_t m = 0;
    for (uint64_t i = 0, n = 1 + below(3); i < n; ++i) m |= 1ULL << below(64);
    return m;
  }

  json action(bool for_floor, bool allowlist = false) {
    static const char* engine[] = {
        "SCMP_ACT_ALLOW",        "SCMP_ACT_ALLOW", "SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO",  "SCMP_ACT_ERRNO",
        "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_TRAP",  "SCMP_ACT_LOG",   "SCMP_ACT_NOTIFY", "SCMP_ACT_TRACE"};
    static const char* floor[] = {"SCMP_ACT_ERRNO", "SCMP_ACT_ERRNO",        "SCMP_ACT_ERRNO",
                                  "SCMP_ACT_ERRNO", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_TRAP"};
    static const uint32_t errnos[] = {1, 13, 22, 38, 97};
    std::string a = for_floor   ? floor[below(std::size(floor))]
                    : allowlist ? (chance(95) ? "SCMP_ACT_ALLOW" : "SCMP_ACT_ERRNO")
                                : engine[below(std::size(engine))];
    json j = {{"action", a}};
    if (a == "SCMP_ACT_ERRNO" && chance(80)) j["errnoRet"] = errnos[below(std::size(errnos))];
    return j;
  }

  json arg_filter(bool nested) {
    json f = {{"index", nested ? 2 : below(2)}};
    switch (below(nested ? 2 : 3)) {
      case 0: {
        json allow = json::array();
        for (uint64_t i = 0, n = 1 + below(4); i < n; ++i) allow.push_back(small_value());
        f["allow"] = allow;
        if (!nested && chance(30)) f["when"] = {{{"value", small_value()}, {"argFilter", arg_filter(true)}}};
        break;
      }
      case 1: {
        json deny = json::array();
        for (uint64_t i = 0, n = 1 + below(3); i < n; ++i) deny.push_back(small_value());
        f["deny"] = deny;
        break;
      }
      default:
        f["denyBits"] = bits();
        return f;
    }
    if (chance(40)) f["width"] = 32;
    return f;
  }

  AgentProfile floor() {
    json floor = json::array();
    for (const auto& sc : kSyscalls) {
      if (sc.nr == SYS_read || sc.nr == SYS_getpid || chance(30)) continue;
      json e = action(true);
      e["names"] = {sc.name};
      if (chance(75)) e["argFilter"] = arg_filter(false);
      floor.push_back(e);
    }
    last_floor = json{{"floor", floor}}.dump();
    try {
      return parse_agent_profile("generated", last_floor);
    } catch (const Error&) {
      ++rejected_floors;  // e.g. a 32-bit filter listing a value past 32 bits
      return this->floor();
    }
  }

  json comparison(bool allowlist) {
    static const char* ops[] = {"SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE",        "SCMP_CMP_EQ",
                                "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ", "SCMP_CMP_MASKED_EQ"};
    // Engines mostly write equality and flag-mask checks (Docker: EQ, NE, MASKED_EQ).
    std::string op = allowlist && chance(80) ? ops[3 + 3 * below(2)] : ops[below(std::size(ops))];
    json c = {{"index", below(3)}, {"op", op}, {"value", allowlist ? small_value() : value()}};
    if (op == "SCMP_CMP_MASKED_EQ") {
      uint64_t mask = chance(50) ? bits() : value();
      c["value"] = mask;
      c["valueTwo"] = chance(60) ? 0 : (chance(80) ? (mask & value()) : value());
    }
    return c;
  }

  // allowlist: what engines write (default errno, allow rules, the odd errno rule); else any action mix.
  oci::Seccomp engine(bool allowlist) {
    static const char* defaults[] = {"SCMP_ACT_ERRNO",        "SCMP_ACT_ERRNO", "SCMP_ACT_ALLOW",
                                     "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_TRAP",  "SCMP_ACT_LOG"};
    json j = {{"defaultAction", allowlist ? "SCMP_ACT_ERRNO" : defaults[below(std::size(defaults))]},
              {"syscalls", json::array()}};
    if (chance(50)) j["defaultErrnoRet"] = chance(50) ? 1 : 38;
    for (const auto& sc : kSyscalls)
      for (uint64_t i = 0, n = below(4); i < n; ++i) {
        json r = action(false, allowlist);
        r["names"] = {sc.name};
        json args = json::array();
        for (uint64_t k = 0, m = below(3); k < m; ++k) args.push_back(comparison(allowlist));
        if (!args.empty()) r["args"] = args;
        j["syscalls"].push_back(r);
      }
    return parse_seccomp_json(j.dump(), "generated engine profile");
  }

  std::array<uint64_t, 6> args() {
    std::array<uint64_t, 6> a{};
    for (auto& v : a) v = value();
    return a;
  }
};

uint32_t ret_of(const Action& a) {
  using K = oci::SeccompAction;
  switch (a.kind) {
    case K::kill_process:
      return SECCOMP_RET_KILL_PROCESS;
    case K::kill:
    case K::kill_thread:
      return SECCOMP_RET_KILL_THREAD;
    case K::trap:
      return SECCOMP_RET_TRAP;
    case K::errno_ret:
      return SECCOMP_RET_ERRNO | a.errno_ret;
    case K::trace:
      return SECCOMP_RET_TRACE | a.errno_ret;
    case K::notify:
      return SECCOMP_RET_USER_NOTIF;
    case K::log:
      return SECCOMP_RET_LOG;
    case K::allow:
      return SECCOMP_RET_ALLOW;
  }
  return SECCOMP_RET_KILL_PROCESS;
}

// The floor's answer from its regions: allowed and denied regions must cover the argument space without
// meeting (denied regions may overlap each other, as clone's one-per-bit regions do).
uint32_t floor_answer(const AgentProfile& floor, const std::string& name,
                      const std::array<uint64_t, 6>& args) {
  for (const auto& f : floor.floor) {
    if (f.syscall != name) continue;
    uint32_t deny = ret_of(to_action(f.action, f.errno_ret));
    if (f.regions.empty()) return deny;
    bool allowed = false, denied = false;
    for (const auto& r : f.regions)
      if (std::all_of(r.args.begin(), r.args.end(),
                      [&](const auto& a) { return arg_matches(a, args[a.index]); }))
        (r.allow ? allowed : denied) = true;
    if (allowed == denied)
      FAIL(args[0] << " " << args[2] << " "
                   << "floor regions of " << name << ": allowed " << allowed << ", denied " << denied);
    return allowed ? SECCOMP_RET_ALLOW : deny;
  }
  return SECCOMP_RET_ALLOW;
}

std::string rules_of(const oci::Seccomp& s, const std::string& name, const std::string& label) {
  std::string out;
  for (const auto& r : s.syscalls) {
    if (std::find(r.names.begin(), r.names.end(), name) == r.names.end()) continue;
    out += label + ": " + oci::to_string(r.action) + "(" + std::to_string(r.errno_ret.value_or(0)) + ")";
    for (const auto& a : r.args)
      out += " [" + std::to_string(a.index) + " op" + std::to_string(static_cast<int>(a.op)) + " " +
             std::to_string(a.value) + " " + std::to_string(a.value_two) + "]";
    out += "\n";
  }
  return out;
}

struct Tally {
  size_t pairs = 0, merged = 0, cases = 0;
};

// Compares the layered answer with the stacked one for `calls` argument vectors per syscall.
void compare(const oci::Seccomp& request, const AgentProfile& floor, Gen& gen, int calls, Tally& t,
             const std::vector<Syscall>& syscalls) {
  std::vector<std::string> changes, warnings;
  Layering layered = layer_floor(request, floor, changes);
  Program prog = compile_layers(layered.filter, layered.floor_filter, warnings);
  oci::Seccomp native = request;
  native.architectures = {layered.filter.architectures};
  Program engine = compile(native, warnings);
  ++t.pairs;
  if (!layered.floor_filter)
    ++t.merged;
  else if (std::getenv("LAYER_REASONS"))
    std::printf("%s\n", layered.stacked_reason.c_str());
  for (const auto& sc : syscalls)
    for (int i = 0; i < calls; ++i) {
      auto args = gen.args();
      uint32_t expected = stacked(decide(engine, sc.nr, args), floor_answer(floor, sc.name, args));
      uint32_t got = decide(prog, sc.nr, args);
      ++t.cases;
      if (got != expected) {
        UNSCOPED_INFO(rules_of(request, sc.name, "engine") << rules_of(layered.filter, sc.name, "layered"));
        UNSCOPED_INFO("engine default " << oci::to_string(request.default_action) << " "
                                        << request.default_errno_ret.value_or(0));
        INFO("syscall " << sc.name << " args " << args[0] << "," << args[1] << "," << args[2] << " mode "
                        << (layered.floor_filter ? "stacked: " + layered.stacked_reason : "merged"));
        REQUIRE(got == expected);
      }
    }
}

}  // namespace

TEST_CASE("layer differential: generated profiles and floors answer as the two filters stacked",
          "[layer][differential]") {
  Gen gen{std::mt19937_64(20261205), {}, 0};
  Tally t;
  std::vector<Syscall> syscalls(std::begin(kSyscalls), std::end(kSyscalls));
  for (int round = 0; round < 400; ++round) {
    auto e = gen.engine(round % 2 == 0);
    auto f = gen.floor();
    INFO(gen.last_floor);
    compare(e, f, gen, 12, t, syscalls);
  }
  std::printf(
      "layer differential: %zu profile pairs (%zu merged, %zu stacked), %zu cases compared, %zu invalid "
      "generated "
      "floors rejected by the parser\n",
      t.pairs, t.merged, t.pairs - t.merged, t.cases, gen.rejected_floors);
  REQUIRE(t.cases >= 20000);
  REQUIRE(t.merged >= t.pairs / 5);  // the merged path is exercised, not only the stacked one
}

TEST_CASE("layer differential: the engines' real profiles under each agent profile",
          "[layer][differential]") {
  Gen gen{std::mt19937_64(16), {}, 0};
  std::vector<Syscall> syscalls(std::begin(kSyscalls), std::end(kSyscalls));
  for (auto extra :
       {Syscall{"clone3", SYS_clone3}, Syscall{"socketpair", SYS_socketpair}, Syscall{"unshare", SYS_unshare},
        Syscall{"bpf", SYS_bpf}, Syscall{"fsopen", SYS_fsopen}, Syscall{"set_mempolicy_home_node", 450},
        Syscall{"open_by_handle_at", SYS_open_by_handle_at}, Syscall{"io_uring_setup", SYS_io_uring_setup},
        Syscall{"kcmp", SYS_kcmp}})
    syscalls.push_back(extra);
  for (const auto& engine : agentrt::test::engine_profiles()) {
    oci::Seccomp request = parse_seccomp_json(engine.seccomp().dump(), engine.name);
    for (const char* profile : {"agent-default", "agent-dev", "agent-nested"}) {
      Tally t;
      AgentProfile floor = load_agent_profile(profile);
      compare(request, floor, gen, 200, t, syscalls);
      std::vector<std::string> changes;
      Layering layered = layer_floor(request, floor, changes);
      std::printf("layer differential: %s under %s: %s%s, %zu cases compared\n", engine.name, profile,
                  layered.floor_filter ? "stacked: " : "merged", layered.stacked_reason.c_str(), t.cases);
      // A fork and a thread start go through whatever the engine allowed.
      std::vector<std::string> w;
      Program p = compile_layers(layered.filter, layered.floor_filter, w);
      REQUIRE(decide(p, SYS_clone, {uint64_t{SIGCHLD} | CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID}) ==
              SECCOMP_RET_ALLOW);
      REQUIRE(decide(p, SYS_clone,
                     {CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM |
                      CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID}) == SECCOMP_RET_ALLOW);
      REQUIRE(decide(p, SYS_clone3) == errno_ret(ENOSYS));  // libc falls back to clone
    }
  }
}
