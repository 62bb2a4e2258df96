// The egress allow-list as BPF: planned (names and dns resolved), generated, and run in a small interpreter
// with the context the kernel would pass; denials land in the stats map as read_egress_stats decodes them.
#include "policy/egress_program.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <catch2/catch.hpp>

#include "egress_bpf_eval.hpp"
#include "oci/support/error.hpp"
#include "policy/egress_plan.hpp"
#include "policy/egress_rules.hpp"
#include "policy/egress_stats.hpp"

using namespace agentrt;
using namespace agentrt::policy;

namespace {

EgressAllow address(const std::string& text) {
  EgressAllow a;
  a.family = text.find(':') == std::string::npos ? AF_INET : AF_INET6;
  REQUIRE(::inet_pton(a.family, text.c_str(), a.address.data()) == 1);
  return a;
}

EgressPlan plan_of(const std::vector<std::string>& entries, bool own_netns = true,
                   const std::string& resolv = "nameserver 198.18.0.53\n") {
  Resolver resolve = [](const std::string& host) -> std::vector<EgressAllow> {
    if (host == "api.example") return {address("198.18.0.9"), address("2001:db8::9")};
    throw Error("cannot resolve " + host);
  };
  return plan_egress(parse_egress(entries, "test"), parse_nameservers(resolv), own_netns, resolve, "test");
}

const EgressProgram& program(const std::vector<EgressProgram>& ps, EgressHook h) {
  for (const auto& p : ps)
    if (p.hook == h) return p;
  FAIL("no program for hook " << to_string(h));
  return ps.front();
}

bpf_sock_addr ctx4(const std::string& ip, uint16_t port, uint32_t protocol = IPPROTO_TCP) {
  bpf_sock_addr c{};
  c.user_family = c.family = AF_INET;
  REQUIRE(::inet_pton(AF_INET, ip.c_str(), &c.user_ip4) == 1);
  c.user_port = htons(port);
  c.protocol = protocol;
  c.type = protocol == IPPROTO_TCP ? SOCK_STREAM : SOCK_DGRAM;
  return c;
}

bpf_sock_addr ctx6(const std::string& ip, uint16_t port, uint32_t protocol = IPPROTO_TCP) {
  bpf_sock_addr c{};
  c.user_family = c.family = AF_INET6;
  REQUIRE(::inet_pton(AF_INET6, ip.c_str(), c.user_ip6) == 1);
  c.user_port = htons(port);
  c.protocol = protocol;
  c.type = protocol == IPPROTO_TCP ? SOCK_STREAM : SOCK_DGRAM;
  return c;
}

struct Egress {
  std::vector<EgressProgram> programs;
  egress_eval::Machine m;
  explicit Egress(const EgressPlan& plan, bool task_info = true)
      : programs(egress_programs(plan, egress_eval::kMapFd, task_info)) {}
  bool allows(EgressHook h, bpf_sock_addr c) { return m.run(program(programs, h).insns, &c) == 1; }
  bool connect4(const std::string& ip, uint16_t port) { return allows(EgressHook::connect4, ctx4(ip, port)); }
  bool connect6(const std::string& ip, uint16_t port) { return allows(EgressHook::connect6, ctx6(ip, port)); }
  bool socket(uint32_t family, uint32_t type, uint32_t protocol) {
    bpf_sock s{};
    s.family = family;
    s.type = type;
    s.protocol = protocol;
    return m.run(program(programs, EgressHook::sock_create).insns, &s) == 1;
  }
};

// The verifier refuses unreachable instructions and jumps out of the program.
void check_reachable(const std::vector<bpf_insn>& prog) {
  std::vector<bool> seen(prog.size());
  std::vector<size_t> todo{0};
  while (!todo.empty()) {
    size_t pc = todo.back();
    todo.pop_back();
    REQUIRE(pc < prog.size());
    if (seen[pc]) continue;
    seen[pc] = true;
    const bpf_insn& i = prog[pc];
    if (i.code == (BPF_JMP | BPF_EXIT)) continue;
    if (i.code == (BPF_LD | BPF_DW | BPF_IMM)) {
      seen[pc + 1] = true;
      todo.push_back(pc + 2);
      continue;
    }
    bool jump =
        (BPF_CLASS(i.code) == BPF_JMP || BPF_CLASS(i.code) == BPF_JMP32) && i.code != (BPF_JMP | BPF_CALL);
    if (jump) todo.push_back(pc + 1 + i.off);
    if (i.code != (BPF_JMP | BPF_JA)) todo.push_back(pc + 1);
  }
  for (size_t pc = 0; pc < prog.size(); ++pc) {
    INFO("instruction " << pc);
    CHECK(seen[pc]);
  }
}

}  // namespace

TEST_CASE("egress plan: entries, dns and host names resolved to address and port ranges", "[egress]") {
  EgressPlan p = plan_of({"198.18.0.0/15:8000-8100", "dns", "api.example:443"});
  REQUIRE(p.allow.size() == 4);
  CHECK(describe(p.allow[0]) == "198.18.0.0/15:8000-8100");
  CHECK(describe(p.allow[1]) == "198.18.0.53/32:53");
  CHECK(describe(p.allow[2]) == "198.18.0.9/32:443");
  CHECK(describe(p.allow[3]) == "[2001:db8::9/128]:443");
  CHECK(p.loopback);
  CHECK_FALSE(plan_of({"none"}, false).loopback);
  CHECK_THROWS_WITH(plan_of({"dns"}, true, "search example\n"), Catch::Contains("names none"));
  CHECK_THROWS_WITH(plan_of({"other.example:80"}), Catch::Contains("test: cannot resolve other.example"));
}

TEST_CASE("egress plan: nameservers from resolv.conf text", "[egress]") {
  auto ns =
      parse_nameservers("# c\nnameserver 10.0.0.1\nnameserver fe80::1%eth0\nnameserver bogus\nsearch x\n");
  REQUIRE(ns.size() == 2);
  CHECK(describe(ns[0]) == "10.0.0.1/32:1-65535");
  CHECK(describe(ns[1]) == "[fe80::1/128]:1-65535");
}

TEST_CASE("egress programs: every instruction reachable, every jump inside", "[egress]") {
  std::vector<EgressPlan> plans = {plan_of({"198.18.0.2:8080", "[2001:db8::/32]:443", "dns"}),
                                   plan_of({"none"}, false), plan_of({"none"}, true),
                                   plan_of({"[::/0]"}, false)};
  for (bool task_info : {true, false})
    for (const auto& plan : plans)
      for (const auto& p : egress_programs(plan, 3, task_info)) {
        INFO(to_string(p.hook));
        check_reachable(p.insns);
      }
}

TEST_CASE("egress programs: IPv4 connect and sendmsg allow only the listed ranges and ports", "[egress]") {
  Egress e(plan_of({"198.18.0.2:8080", "198.18.1.0/24", "198.18.2.0/24:1000-2000"}));
  CHECK(e.connect4("198.18.0.2", 8080));
  CHECK_FALSE(e.connect4("198.18.0.2", 8081));
  CHECK_FALSE(e.connect4("198.18.0.3", 8080));
  CHECK(e.connect4("198.18.1.200", 1));
  CHECK(e.connect4("198.18.1.200", 65535));
  CHECK(e.connect4("198.18.2.7", 1000));
  CHECK(e.connect4("198.18.2.7", 2000));
  CHECK_FALSE(e.connect4("198.18.2.7", 999));
  CHECK_FALSE(e.connect4("198.18.2.7", 2001));
  CHECK_FALSE(e.connect4("198.18.3.1", 1500));
  CHECK(e.connect4("127.0.0.1", 5));  // own network namespace: its loopback
  CHECK(e.allows(EgressHook::sendmsg4, ctx4("198.18.0.53", 53, IPPROTO_UDP)) == false);
  CHECK(e.allows(EgressHook::sendmsg4, ctx4("198.18.0.2", 8080, IPPROTO_UDP)));
  CHECK_FALSE(e.allows(EgressHook::sendmsg4, ctx4("198.18.0.2", 8081, IPPROTO_UDP)));
}

TEST_CASE("egress programs: none allows loopback only in the container's own network namespace", "[egress]") {
  Egress own(plan_of({"none"}, true));
  CHECK(own.connect4("127.0.0.1", 80));
  CHECK(own.connect4("127.255.0.1", 80));
  CHECK(own.connect6("::1", 80));
  CHECK(own.connect6("::ffff:127.0.0.1", 80));
  CHECK_FALSE(own.connect4("198.18.0.2", 80));
  CHECK_FALSE(own.connect6("2001:db8::1", 80));
  Egress host(plan_of({"none"}, false));
  CHECK_FALSE(host.connect4("127.0.0.1", 80));
  CHECK_FALSE(host.connect6("::1", 80));
}

TEST_CASE("egress programs: IPv6, and IPv4-mapped IPv6 held to the IPv4 list", "[egress]") {
  Egress e(plan_of({"198.18.0.2:8080", "[2001:db8::/32]:443", "[2001:db8:1::7]"}));
  CHECK(e.connect6("::ffff:198.18.0.2", 8080));
  CHECK_FALSE(e.connect6("::ffff:198.18.0.2", 8081));
  CHECK_FALSE(e.connect6("::ffff:198.18.0.3", 8080));
  CHECK(e.connect6("2001:db8:ffff::1", 443));
  CHECK_FALSE(e.connect6("2001:db8:ffff::1", 444));
  CHECK_FALSE(e.connect6("2001:db9::1", 443));
  CHECK(e.connect6("2001:db8:1::7", 22));
  CHECK(e.connect6("::1", 443));  // own network namespace: loopback
  Egress lo(plan_of({"198.18.0.2:8080"}, false));
  CHECK_FALSE(lo.connect6("::1", 443));
  CHECK(e.allows(EgressHook::sendmsg6, ctx6("2001:db8::1", 443, IPPROTO_UDP)));
  CHECK_FALSE(e.allows(EgressHook::sendmsg6, ctx6("::ffff:198.18.0.9", 8080, IPPROTO_UDP)));
}

TEST_CASE("egress programs: raw and ping sockets refused, TCP and UDP sockets made", "[egress]") {
  Egress e(plan_of({"198.18.0.0/15"}));
  CHECK_FALSE(e.socket(AF_INET, SOCK_RAW, IPPROTO_ICMP));
  CHECK_FALSE(e.socket(AF_INET6, SOCK_RAW, IPPROTO_RAW));
  CHECK_FALSE(e.socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP));
  CHECK_FALSE(e.socket(AF_INET6, SOCK_DGRAM, IPPROTO_ICMPV6));
  CHECK(e.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP));
  CHECK(e.socket(AF_INET6, SOCK_DGRAM, IPPROTO_UDP));
  CHECK(e.socket(AF_INET, SOCK_DGRAM, 0));
}

TEST_CASE("egress programs: each denial counted, the last ones recorded in the stats map", "[egress]") {
  Egress e(plan_of({"198.18.0.2:8080"}));
  CHECK_FALSE(e.connect4("198.18.0.2", 8081));
  CHECK_FALSE(e.allows(EgressHook::sendmsg6, ctx6("2001:db8::1", 53, IPPROTO_UDP)));
  CHECK_FALSE(e.socket(AF_INET, SOCK_RAW, IPPROTO_ICMP));
  CHECK(e.connect4("198.18.0.2", 8080));
  CHECK(e.m.denied() == 3);
  const char* expected[] = {"198.18.0.2:8081/tcp", "[2001:db8::1]:53/udp", "raw socket (inet, protocol 1)"};
  for (uint32_t n = 0; n < 3; ++n) {
    EgressDenial d{};
    uint64_t seq = 0;
    REQUIRE(decode_egress_record(e.m.slot(1 + n), d, &seq));
    CHECK(seq == n + 1);
    CHECK(d.destination == expected[n]);
    CHECK(d.pid == egress_eval::kPid);
    CHECK(d.comm == "agent");
    CHECK(d.time_ns == 1000);
    CHECK(d.err == EPERM);
  }
  EgressDenial unused{};
  uint64_t seq = 0;
  CHECK_FALSE(decode_egress_record(e.m.slot(4), unused, &seq));
  // The ring wraps: denial n (0-based) lands in slot 1 + n % kStatsSlots.
  for (int i = 0; i < 20; ++i) e.connect4("198.18.9.9", static_cast<uint16_t>(1000 + i));
  CHECK(e.m.denied() == 23);
  EgressDenial last{};
  REQUIRE(decode_egress_record(e.m.slot(1 + (22 % egress_record::kStatsSlots)), last, &seq));
  CHECK(seq == 23);
  CHECK(last.destination == "198.18.9.9:1019/tcp");
}

TEST_CASE("egress programs: without task helpers the record has no pid or comm", "[egress]") {
  Egress e(plan_of({"none"}), false);
  CHECK_FALSE(e.connect4("198.18.0.2", 80));
  EgressDenial d{};
  uint64_t seq = 0;
  REQUIRE(decode_egress_record(e.m.slot(1), d, &seq));
  CHECK(d.pid == 0);
  CHECK(d.comm.empty());
  CHECK(d.destination == "198.18.0.2:80/tcp");
}
