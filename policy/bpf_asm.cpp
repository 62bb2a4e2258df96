#include "policy/bpf_asm.hpp"

#include <stdexcept>

namespace agentrt::policy::bpf {

std::vector<bpf_insn> Assembler::finish() const {
  std::vector<bpf_insn> out = insns_;
  for (const auto& f : fixups_) {
    int target = labels_.at(f.label);
    if (target < 0) throw std::logic_error("bpf assembler: jump to an unbound label");
    out[f.at].off = static_cast<int16_t>(target - (f.at + 1));
  }
  return out;
}

}  // namespace agentrt::policy::bpf
