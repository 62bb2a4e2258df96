// Pure generation of the device-filter BPF program.
#include "cgroups/device_bpf.hpp"

#include "oci/support/error.hpp"

namespace agentrt::cgroups {
namespace {

bpf_insn insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm) {
  bpf_insn i{};
  i.code = code;
  i.dst_reg = dst & 0xf;
  i.src_reg = src & 0xf;
  i.off = off;
  i.imm = imm;
  return i;
}

// Registers: r3 = device type bit, r4 = access bits, r5 = major, r6 = minor, r7 = scratch.
constexpr uint8_t kType = 3, kAccess = 4, kMajor = 5, kMinor = 6, kScratch = 7;

int32_t access_bits(const std::string& access) {
  int32_t bits = 0;
  for (char c : access) {
    if (c == 'm') bits |= BPF_DEVCG_ACC_MKNOD;
    if (c == 'r') bits |= BPF_DEVCG_ACC_READ;
    if (c == 'w') bits |= BPF_DEVCG_ACC_WRITE;
  }
  return bits;
}

constexpr int32_t kAllAccess = BPF_DEVCG_ACC_MKNOD | BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE;

// One rule: a sequence of "jump to the next rule unless it matches" tests, then return the verdict.
// The jump offsets are patched once the block length is known.
std::vector<bpf_insn> rule_block(const oci::DeviceCgroupRule& r) {
  std::vector<bpf_insn> b;
  std::vector<size_t> to_next;
  auto jump_unless = [&](bpf_insn i) {
    to_next.push_back(b.size());
    b.push_back(i);
  };
  if (r.type == "c" || r.type == "b") {
    int32_t t = r.type == "c" ? BPF_DEVCG_DEV_CHAR : BPF_DEVCG_DEV_BLOCK;
    jump_unless(insn(BPF_JMP | BPF_JNE | BPF_K, kType, 0, 0, t));
  }
  int32_t acc = access_bits(r.access.empty() ? "rwm" : r.access);
  if (acc != kAllAccess) {
    b.push_back(insn(BPF_ALU64 | BPF_MOV | BPF_X, kScratch, kAccess, 0, 0));
    if (r.allow) {
      b.push_back(insn(BPF_ALU64 | BPF_AND | BPF_K, kScratch, 0, 0, ~acc));
      jump_unless(insn(BPF_JMP | BPF_JNE | BPF_K, kScratch, 0, 0, 0));
    } else {
      b.push_back(insn(BPF_ALU64 | BPF_AND | BPF_K, kScratch, 0, 0, acc));
      jump_unless(insn(BPF_JMP | BPF_JEQ | BPF_K, kScratch, 0, 0, 0));
    }
  }
  if (r.major && *r.major >= 0)
    jump_unless(insn(BPF_JMP | BPF_JNE | BPF_K, kMajor, 0, 0, static_cast<int32_t>(*r.major)));
  if (r.minor && *r.minor >= 0)
    jump_unless(insn(BPF_JMP | BPF_JNE | BPF_K, kMinor, 0, 0, static_cast<int32_t>(*r.minor)));
  b.push_back(insn(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, r.allow ? 1 : 0));
  b.push_back(insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
  for (size_t at : to_next) b[at].off = static_cast<int16_t>(b.size() - at - 1);
  return b;
}

}  // namespace

std::vector<bpf_insn> device_program(const std::vector<oci::DeviceCgroupRule>& rules) {
  std::vector<bpf_insn> p = {
      insn(BPF_LDX | BPF_W | BPF_MEM, 2, 1, offsetof(bpf_cgroup_dev_ctx, access_type), 0),
      insn(BPF_ALU64 | BPF_MOV | BPF_X, kType, 2, 0, 0),
      insn(BPF_ALU64 | BPF_AND | BPF_K, kType, 0, 0, 0xffff),
      insn(BPF_ALU64 | BPF_MOV | BPF_X, kAccess, 2, 0, 0),
      insn(BPF_ALU64 | BPF_RSH | BPF_K, kAccess, 0, 0, 16),
      insn(BPF_LDX | BPF_W | BPF_MEM, kMajor, 1, offsetof(bpf_cgroup_dev_ctx, major), 0),
      insn(BPF_LDX | BPF_W | BPF_MEM, kMinor, 1, offsetof(bpf_cgroup_dev_ctx, minor), 0),
  };
  for (auto it = rules.rbegin(); it != rules.rend(); ++it) {
    if (it->type != "a" && it->type != "c" && it->type != "b")
      throw Error("linux.resources.devices: invalid device type " + it->type);
    auto block = rule_block(*it);
    p.insert(p.end(), block.begin(), block.end());
    // A rule without tests ("a *:* rwm") always decides: what would follow is unreachable, which the
    // verifier rejects.
    if (block.size() == 2) return p;
  }
  p.push_back(insn(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0));
  p.push_back(insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
  return p;
}

}  // namespace agentrt::cgroups
