#pragma once
// Runs an egress program (egress_program.hpp) the way the kernel would, for the instructions it uses: the
// context and map values are real memory, helpers return fixed values, the stats map is an array in here.
#include <linux/bpf.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <cstring>
#include <vector>

#include "policy/egress_program.hpp"

namespace egress_eval {

constexpr int kMapFd = 77;
constexpr uint32_t kPid = 4242;

struct Machine {
  std::vector<uint8_t> map = std::vector<uint8_t>((agentrt::policy::egress_record::kStatsSlots + 1) *
                                                  agentrt::policy::egress_record::kRecordSize);

  uint64_t denied() const {
    uint64_t n;
    std::memcpy(&n, map.data(), 8);
    return n;
  }
  const uint8_t* slot(uint32_t i) const {
    return map.data() + i * agentrt::policy::egress_record::kRecordSize;
  }

  uint64_t call(int helper, uint64_t* r) {
    switch (helper) {
      case BPF_FUNC_map_lookup_elem: {
        REQUIRE(r[1] == kMapFd);
        uint32_t key;
        std::memcpy(&key, reinterpret_cast<void*>(r[2]), 4);
        if (key > agentrt::policy::egress_record::kStatsSlots) return 0;
        return reinterpret_cast<uint64_t>(map.data() + key * agentrt::policy::egress_record::kRecordSize);
      }
      case BPF_FUNC_ktime_get_ns:
        return 1000;
      case BPF_FUNC_get_current_pid_tgid:
        return uint64_t(kPid) << 32 | 7;
      case BPF_FUNC_get_current_comm:
        REQUIRE(r[2] == 16);
        std::memset(reinterpret_cast<void*>(r[1]), 0, 16);
        std::memcpy(reinterpret_cast<void*>(r[1]), "agent", 5);
        return 0;
    }
    FAIL("unexpected helper " << helper);
    return 0;
  }

  // The program's return value with ctx as its context.
  uint64_t run(const std::vector<bpf_insn>& prog, void* ctx) {
    uint64_t r[11] = {};
    uint8_t stack[512] = {};
    r[1] = reinterpret_cast<uint64_t>(ctx);
    r[10] = reinterpret_cast<uint64_t>(stack + sizeof stack);
    for (size_t pc = 0; pc < prog.size(); ++pc) {
      const bpf_insn& i = prog[pc];
      uint64_t& d = r[i.dst_reg];
      uint64_t s = r[i.src_reg];
      uint32_t imm = static_cast<uint32_t>(i.imm);
      auto jump32 = [&](bool taken) {
        if (taken) pc += i.off;
      };
      switch (i.code) {
        case BPF_ALU64 | BPF_MOV | BPF_X:
          d = s;
          break;
        case BPF_ALU64 | BPF_MOV | BPF_K:
          d = static_cast<uint64_t>(static_cast<int64_t>(i.imm));
          break;
        case BPF_ALU64 | BPF_ADD | BPF_K:
          d += static_cast<uint64_t>(static_cast<int64_t>(i.imm));
          break;
        case BPF_ALU64 | BPF_AND | BPF_K:
          d &= static_cast<uint64_t>(static_cast<int64_t>(i.imm));
          break;
        case BPF_ALU64 | BPF_RSH | BPF_K:
          d >>= i.imm;
          break;
        case BPF_ALU | BPF_MOV | BPF_X:
          d = static_cast<uint32_t>(s);
          break;
        case BPF_ALU | BPF_AND | BPF_K:
          d = static_cast<uint32_t>(d) & imm;
          break;
        case BPF_ALU | BPF_END | BPF_TO_BE:
          d = i.imm == 16 ? __builtin_bswap16(static_cast<uint16_t>(d))
                          : __builtin_bswap32(static_cast<uint32_t>(d));
          break;
        case BPF_LDX | BPF_MEM | BPF_W: {
          uint32_t v;
          std::memcpy(&v, reinterpret_cast<void*>(s + i.off), 4);
          d = v;
          break;
        }
        case BPF_STX | BPF_MEM | BPF_W: {
          uint32_t v = static_cast<uint32_t>(s);
          std::memcpy(reinterpret_cast<void*>(d + i.off), &v, 4);
          break;
        }
        case BPF_STX | BPF_MEM | BPF_DW:
          std::memcpy(reinterpret_cast<void*>(d + i.off), &s, 8);
          break;
        case BPF_ST | BPF_MEM | BPF_W:
          std::memcpy(reinterpret_cast<void*>(d + i.off), &imm, 4);
          break;
        case BPF_STX | BPF_ATOMIC | BPF_DW: {
          REQUIRE(i.imm == (BPF_ADD | BPF_FETCH));
          uint64_t old;
          std::memcpy(&old, reinterpret_cast<void*>(d + i.off), 8);
          uint64_t sum = old + s;
          std::memcpy(reinterpret_cast<void*>(d + i.off), &sum, 8);
          r[i.src_reg] = old;
          break;
        }
        case BPF_LD | BPF_DW | BPF_IMM:
          REQUIRE(i.src_reg == BPF_PSEUDO_MAP_FD);
          d = static_cast<uint32_t>(i.imm);
          ++pc;
          break;
        case BPF_JMP | BPF_CALL:
          r[0] = call(i.imm, r);
          break;
        case BPF_JMP | BPF_JA:
          pc += i.off;
          break;
        case BPF_JMP | BPF_JEQ | BPF_K:
          jump32(d == static_cast<uint64_t>(static_cast<int64_t>(i.imm)));
          break;
        case BPF_JMP32 | BPF_JEQ | BPF_K:
          jump32(static_cast<uint32_t>(d) == imm);
          break;
        case BPF_JMP32 | BPF_JNE | BPF_K:
          jump32(static_cast<uint32_t>(d) != imm);
          break;
        case BPF_JMP32 | BPF_JLT | BPF_K:
          jump32(static_cast<uint32_t>(d) < imm);
          break;
        case BPF_JMP32 | BPF_JGT | BPF_K:
          jump32(static_cast<uint32_t>(d) > imm);
          break;
        case BPF_JMP | BPF_EXIT:
          return r[0];
        default:
          FAIL("unexpected instruction code " << int(i.code) << " at " << pc);
      }
      REQUIRE(pc + 1 <= prog.size());
    }
    FAIL("ran off the end of the program");
    return 0;
  }
};

}  // namespace egress_eval
