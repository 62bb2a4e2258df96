#pragma once
// A minimal eBPF assembler: instructions of <linux/bpf.h> with forward jumps to labels. Written by hand
// because libbpf is not among the allowed dependencies (and agentrt is a static binary); the programs it
// assembles are small and fixed (egress_program.hpp).
#include <linux/bpf.h>

#include <cstdint>
#include <vector>

namespace agentrt::policy::bpf {

class Assembler {
 public:
  int new_label() {
    labels_.push_back(-1);
    return static_cast<int>(labels_.size()) - 1;
  }
  void bind(int label) { labels_[label] = static_cast<int>(insns_.size()); }
  // Whether a jump to the label was emitted (code only reachable through it must not be emitted otherwise:
  // the verifier refuses unreachable instructions).
  bool used(int label) const {
    for (const auto& f : fixups_)
      if (f.label == label) return true;
    return false;
  }

  void raw(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm) {
    insns_.push_back(bpf_insn{code, dst, src, off, imm});
  }
  void mov64_reg(int dst, int src) { raw(BPF_ALU64 | BPF_MOV | BPF_X, dst, src, 0, 0); }
  void mov64_imm(int dst, int32_t imm) { raw(BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, imm); }
  void alu64_imm(int op, int dst, int32_t imm) { raw(BPF_ALU64 | op | BPF_K, dst, 0, 0, imm); }
  void alu32_imm(int op, int dst, uint32_t imm) {
    raw(BPF_ALU | op | BPF_K, dst, 0, 0, static_cast<int32_t>(imm));
  }
  void mov32_reg(int dst, int src) { raw(BPF_ALU | BPF_MOV | BPF_X, dst, src, 0, 0); }
  // Network to host order of the low `bits` (16 or 32) on a little-endian machine.
  void to_host(int reg, int bits) { raw(BPF_ALU | BPF_END | BPF_TO_BE, reg, 0, 0, bits); }
  void load32(int dst, int base, int16_t off) { raw(BPF_LDX | BPF_MEM | BPF_W, dst, base, off, 0); }
  void store32(int base, int16_t off, int src) { raw(BPF_STX | BPF_MEM | BPF_W, base, src, off, 0); }
  void store64(int base, int16_t off, int src) { raw(BPF_STX | BPF_MEM | BPF_DW, base, src, off, 0); }
  void store32_imm(int base, int16_t off, int32_t imm) { raw(BPF_ST | BPF_MEM | BPF_W, base, 0, off, imm); }
  // *(u64*)(base+off) += src, src = the old value (BPF_FETCH: kernel 5.12+).
  void fetch_add64(int base, int16_t off, int src) {
    raw(BPF_STX | BPF_ATOMIC | BPF_DW, base, src, off, BPF_ADD | BPF_FETCH);
  }
  void load_map_fd(int dst, int fd) {
    raw(BPF_LD | BPF_DW | BPF_IMM, dst, BPF_PSEUDO_MAP_FD, 0, fd);
    raw(0, 0, 0, 0, 0);
  }
  void call(int helper) { raw(BPF_JMP | BPF_CALL, 0, 0, 0, helper); }
  void exit() { raw(BPF_JMP | BPF_EXIT, 0, 0, 0, 0); }
  void jump(int label) { jump_raw(BPF_JMP | BPF_JA, 0, 0, label); }
  // 32-bit compare of reg with imm (BPF_JEQ, BPF_JNE, BPF_JLT, BPF_JGT ...), jumping to label when true.
  void jump32_imm(int op, int reg, uint32_t imm, int label) {
    jump_raw(BPF_JMP32 | op | BPF_K, reg, static_cast<int32_t>(imm), label);
  }
  void jump64_imm(int op, int reg, int32_t imm, int label) {
    jump_raw(BPF_JMP | op | BPF_K, reg, imm, label);
  }

  // The instructions with every jump resolved; throws std::logic_error on an unbound label.
  std::vector<bpf_insn> finish() const;

 private:
  void jump_raw(uint8_t code, int reg, int32_t imm, int label) {
    fixups_.push_back({static_cast<int>(insns_.size()), label});
    raw(code, reg, 0, 0, imm);
  }
  struct Fixup {
    int at, label;
  };
  std::vector<bpf_insn> insns_;
  std::vector<int> labels_;
  std::vector<Fixup> fixups_;
};

}  // namespace agentrt::policy::bpf
