#include "policy/egress_program.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstddef>

#include "policy/bpf_asm.hpp"

namespace agentrt::policy {
namespace {

namespace rec = egress_record;
using bpf::Assembler;

// Registers: r6 the context (kept across calls), r7 the destination port in host order, r2 the IPv4
// address or r2..r5 the IPv6 words in host order, r0 scratch; r8/r9 while recording a denial.
constexpr int kCtx = 6, kPort = 7, kSeq = 8, kRecord = 9;
constexpr int kHelperMapLookup = BPF_FUNC_map_lookup_elem, kHelperKtime = BPF_FUNC_ktime_get_ns,
              kHelperPidTgid = BPF_FUNC_get_current_pid_tgid, kHelperComm = BPF_FUNC_get_current_comm;

uint32_t host_word(const std::array<uint8_t, 16>& a, int i) {
  return uint32_t(a[4 * i]) << 24 | uint32_t(a[4 * i + 1]) << 16 | uint32_t(a[4 * i + 2]) << 8 | a[4 * i + 3];
}

uint32_t mask_of(int bits) {
  return bits <= 0 ? 0 : bits >= 32 ? 0xffffffffu : ~(0xffffffffu >> bits);
}

// Jumps to `next` unless word_reg matches `net` in its top `bits` bits.
void match_word(Assembler& a, int word_reg, uint32_t net, int bits, int next) {
  if (bits <= 0) return;
  if (bits >= 32) {
    a.jump32_imm(BPF_JNE, word_reg, net, next);
    return;
  }
  a.mov32_reg(0, word_reg);
  a.alu32_imm(BPF_AND, 0, mask_of(bits));
  a.jump32_imm(BPF_JNE, 0, net & mask_of(bits), next);
}

void match_ports(Assembler& a, const EgressAllow& r, int next) {
  if (r.port_lo > 1) a.jump32_imm(BPF_JLT, kPort, r.port_lo, next);
  if (r.port_hi < 65535) a.jump32_imm(BPF_JGT, kPort, r.port_hi, next);
}

// One entry: falls through to the next when the destination does not match, jumps to allow when it does.
void emit_entry(Assembler& a, const EgressAllow& r, int allow) {
  int next = a.new_label();
  if (r.family == AF_INET) {
    match_word(a, 2, host_word(r.address, 0), r.prefix, next);
  } else {
    for (int i = 0; i < 4; ++i) match_word(a, 2 + i, host_word(r.address, i), r.prefix - 32 * i, next);
  }
  match_ports(a, r, next);
  a.jump(allow);
  a.bind(next);
}

void emit_rules(Assembler& a, const EgressPlan& plan, int family, int allow) {
  if (plan.loopback) {
    EgressAllow lo;
    lo.family = family;
    if (family == AF_INET) {
      lo.address[0] = 127;
      lo.prefix = 8;
    } else {
      lo.address[15] = 1;
      lo.prefix = 128;
    }
    emit_entry(a, lo, allow);
  }
  for (const auto& r : plan.allow)
    if (r.family == family) emit_entry(a, r, allow);
}

// Copies a u32 context field into the record.
void copy_field(Assembler& a, int16_t ctx_off, int16_t rec_off) {
  a.load32(1, kCtx, ctx_off);
  a.store32(kRecord, rec_off, 1);
}

// Counts the denial, records it in the next slot (whose address is in r9 for fill_destination), returns 0.
template <typename Fill>
void emit_deny(Assembler& a, EgressHook hook, int map_fd, bool task_info, Fill fill_destination) {
  int out = a.new_label();
  auto lookup_key_on_stack = [&] {
    a.load_map_fd(1, map_fd);
    a.mov64_reg(2, 10);
    a.alu64_imm(BPF_ADD, 2, -4);
    a.call(kHelperMapLookup);
    a.jump64_imm(BPF_JEQ, 0, 0, out);
  };
  a.store32_imm(10, -4, 0);
  lookup_key_on_stack();
  a.mov64_imm(1, 1);
  a.fetch_add64(0, 0, 1);  // r1 = denials before this one
  a.mov64_reg(kSeq, 1);
  a.alu64_imm(BPF_ADD, kSeq, 1);
  a.alu64_imm(BPF_AND, 1, rec::kStatsSlots - 1);
  a.alu64_imm(BPF_ADD, 1, 1);
  a.store32(10, -4, 1);
  lookup_key_on_stack();
  a.mov64_reg(kRecord, 0);
  a.store64(kRecord, rec::seq, kSeq);
  a.call(kHelperKtime);
  a.store64(kRecord, rec::time_ns, 0);
  if (task_info) {
    a.call(kHelperPidTgid);
    a.alu64_imm(BPF_RSH, 0, 32);
    a.store32(kRecord, rec::pid, 0);
    a.mov64_reg(1, kRecord);
    a.alu64_imm(BPF_ADD, 1, rec::comm);
    a.mov64_imm(2, 16);
    a.call(kHelperComm);
  } else {
    a.store32_imm(kRecord, rec::pid, 0);
    a.store32_imm(kRecord, rec::comm, 0);
  }
  a.store32_imm(kRecord, rec::hook, static_cast<int32_t>(hook));
  fill_destination();
  a.bind(out);
  a.mov64_imm(0, 0);
  a.exit();
}

void emit_allow(Assembler& a, int allow) {
  if (!a.used(allow)) return;  // nothing allowed (none without a loopback of its own)
  a.bind(allow);
  a.mov64_imm(0, 1);
  a.exit();
}

std::vector<bpf_insn> sock_addr_program(const EgressPlan& plan, EgressHook hook, int map_fd, bool task_info) {
  const bool v6 = hook == EgressHook::connect6 || hook == EgressHook::sendmsg6;
  Assembler a;
  int allow = a.new_label(), deny = a.new_label();
  a.mov64_reg(kCtx, 1);
  a.load32(kPort, kCtx, offsetof(bpf_sock_addr, user_port));
  a.to_host(kPort, 16);
  if (!v6) {
    a.load32(2, kCtx, offsetof(bpf_sock_addr, user_ip4));
    a.to_host(2, 32);
    emit_rules(a, plan, AF_INET, allow);
  } else {
    for (int i = 0; i < 4; ++i) {
      a.load32(2 + i, kCtx, static_cast<int16_t>(offsetof(bpf_sock_addr, user_ip6) + 4 * i));
      a.to_host(2 + i, 32);
    }
    int native = a.new_label();
    a.jump32_imm(BPF_JNE, 2, 0, native);  // ::ffff:a.b.c.d is IPv4 a.b.c.d
    a.jump32_imm(BPF_JNE, 3, 0, native);
    a.jump32_imm(BPF_JNE, 4, 0xffff, native);
    a.mov64_reg(2, 5);
    emit_rules(a, plan, AF_INET, allow);
    a.jump(deny);
    a.bind(native);
    emit_rules(a, plan, AF_INET6, allow);
  }
  a.bind(deny);
  emit_deny(a, hook, map_fd, task_info, [&] {
    copy_field(a, offsetof(bpf_sock_addr, family), rec::family);
    copy_field(a, offsetof(bpf_sock_addr, protocol), rec::protocol);
    copy_field(a, offsetof(bpf_sock_addr, type), rec::type);
    copy_field(a, offsetof(bpf_sock_addr, user_port), rec::port);
    for (int i = 0; i < 4; ++i) {
      int16_t to = static_cast<int16_t>(rec::address + 4 * i);
      if (v6)
        copy_field(a, static_cast<int16_t>(offsetof(bpf_sock_addr, user_ip6) + 4 * i), to);
      else if (i == 0)
        copy_field(a, offsetof(bpf_sock_addr, user_ip4), to);
      else
        a.store32_imm(kRecord, to, 0);
    }
  });
  emit_allow(a, allow);
  return a.finish();
}

// Raw sockets and ICMP/ICMPv6 datagram ("ping") sockets reach any address without connect().
std::vector<bpf_insn> sock_create_program(int map_fd, bool task_info) {
  Assembler a;
  int allow = a.new_label(), deny = a.new_label();
  a.mov64_reg(kCtx, 1);
  a.load32(2, kCtx, offsetof(bpf_sock, type));
  a.load32(3, kCtx, offsetof(bpf_sock, protocol));
  a.jump32_imm(BPF_JEQ, 2, SOCK_RAW, deny);
  a.jump32_imm(BPF_JNE, 2, SOCK_DGRAM, allow);
  a.jump32_imm(BPF_JEQ, 3, IPPROTO_ICMP, deny);
  a.jump32_imm(BPF_JEQ, 3, IPPROTO_ICMPV6, deny);
  a.jump(allow);
  a.bind(deny);
  emit_deny(a, EgressHook::sock_create, map_fd, task_info, [&] {
    copy_field(a, offsetof(bpf_sock, family), rec::family);
    copy_field(a, offsetof(bpf_sock, protocol), rec::protocol);
    copy_field(a, offsetof(bpf_sock, type), rec::type);
    a.store32_imm(kRecord, rec::port, 0);
    for (int i = 0; i < 4; ++i) a.store32_imm(kRecord, static_cast<int16_t>(rec::address + 4 * i), 0);
  });
  emit_allow(a, allow);
  return a.finish();
}

}  // namespace

const char* to_string(EgressHook h) {
  switch (h) {
    case EgressHook::connect4:
      return "connect4";
    case EgressHook::connect6:
      return "connect6";
    case EgressHook::sendmsg4:
      return "sendmsg4";
    case EgressHook::sendmsg6:
      return "sendmsg6";
    case EgressHook::sock_create:
      return "sock_create";
  }
  return "?";
}

std::vector<EgressProgram> egress_programs(const EgressPlan& plan, int stats_map_fd, bool task_info) {
  auto addr = [&](EgressHook h, bpf_attach_type t) {
    return EgressProgram{h, BPF_PROG_TYPE_CGROUP_SOCK_ADDR, t,
                         sock_addr_program(plan, h, stats_map_fd, task_info)};
  };
  return {addr(EgressHook::connect4, BPF_CGROUP_INET4_CONNECT),
          addr(EgressHook::connect6, BPF_CGROUP_INET6_CONNECT),
          addr(EgressHook::sendmsg4, BPF_CGROUP_UDP4_SENDMSG),
          addr(EgressHook::sendmsg6, BPF_CGROUP_UDP6_SENDMSG),
          {EgressHook::sock_create, BPF_PROG_TYPE_CGROUP_SOCK, BPF_CGROUP_INET_SOCK_CREATE,
           sock_create_program(stats_map_fd, task_info)}};
}

}  // namespace agentrt::policy
