#pragma once
// A small classic-BPF interpreter for seccomp programs, so unit tests can check what a compiled filter
// decides for a syscall without loading it into the kernel.
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <vector>

namespace agentrt::seccomp::test {

struct Call {
  int nr = 0;
  uint32_t arch = AUDIT_ARCH_X86_64;
  std::array<uint64_t, 6> args{};
};

inline uint32_t run_bpf(const std::vector<sock_filter>& prog, const Call& call) {
  seccomp_data data{};
  data.nr = call.nr;
  data.arch = call.arch;
  for (int i = 0; i < 6; ++i) data.args[i] = call.args[i];
  uint32_t a = 0, x = 0;
  uint32_t mem[BPF_MEMWORDS] = {};
  for (size_t pc = 0; pc < prog.size(); ++pc) {
    const sock_filter& in = prog[pc];
    switch (in.code) {
      case BPF_LD | BPF_W | BPF_ABS:
        if (in.k + 4 > sizeof data) throw std::runtime_error("load out of range");
        std::memcpy(&a, reinterpret_cast<const char*>(&data) + in.k, 4);
        break;
      case BPF_LD | BPF_MEM:
        a = mem[in.k];
        break;
      case BPF_LDX | BPF_MEM:
        x = mem[in.k];
        break;
      case BPF_ST:
        mem[in.k] = a;
        break;
      case BPF_STX:
        mem[in.k] = x;
        break;
      case BPF_MISC | BPF_TAX:
        x = a;
        break;
      case BPF_MISC | BPF_TXA:
        a = x;
        break;
      case BPF_ALU | BPF_AND | BPF_K:
        a &= in.k;
        break;
      case BPF_ALU | BPF_OR | BPF_K:
        a |= in.k;
        break;
      case BPF_JMP | BPF_JA:
        pc += in.k;
        break;
      case BPF_JMP | BPF_JEQ | BPF_K:
        pc += (a == in.k) ? in.jt : in.jf;
        break;
      case BPF_JMP | BPF_JGT | BPF_K:
        pc += (a > in.k) ? in.jt : in.jf;
        break;
      case BPF_JMP | BPF_JGE | BPF_K:
        pc += (a >= in.k) ? in.jt : in.jf;
        break;
      case BPF_JMP | BPF_JSET | BPF_K:
        pc += (a & in.k) ? in.jt : in.jf;
        break;
      case BPF_RET | BPF_K:
        return in.k;
      case BPF_RET | BPF_A:
        return a;
      default:
        throw std::runtime_error("unsupported bpf opcode " + std::to_string(in.code));
    }
  }
  throw std::runtime_error("bpf program fell off the end");
}

// The kernel's answer for two stacked filters (kernel/seccomp.c seccomp_run_filters): the most restrictive
// action (the lowest, compared as signed), and on a tie the filter loaded last.
inline uint32_t stacked(uint32_t first_loaded, uint32_t last_loaded) {
  auto rank = [](uint32_t ret) { return static_cast<int32_t>(ret & SECCOMP_RET_ACTION_FULL); };
  return rank(first_loaded) < rank(last_loaded) ? first_loaded : last_loaded;
}

inline uint32_t errno_of(uint32_t ret) {
  return ret & SECCOMP_RET_DATA;
}
inline uint32_t action_of(uint32_t ret) {
  return ret & SECCOMP_RET_ACTION_FULL;
}

}  // namespace agentrt::seccomp::test
