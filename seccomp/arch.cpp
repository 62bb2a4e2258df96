#include "seccomp/arch.hpp"

#include <seccomp.h>

#include <array>
#include <cstdlib>
#include <utility>

#include "oci/support/error.hpp"

namespace agentrt::seccomp {
namespace {

constexpr std::array<std::pair<const char*, uint32_t>, 19> kArches{{
    {"SCMP_ARCH_X86", SCMP_ARCH_X86},
    {"SCMP_ARCH_X86_64", SCMP_ARCH_X86_64},
    {"SCMP_ARCH_X32", SCMP_ARCH_X32},
    {"SCMP_ARCH_ARM", SCMP_ARCH_ARM},
    {"SCMP_ARCH_AARCH64", SCMP_ARCH_AARCH64},
    {"SCMP_ARCH_MIPS", SCMP_ARCH_MIPS},
    {"SCMP_ARCH_MIPS64", SCMP_ARCH_MIPS64},
    {"SCMP_ARCH_MIPS64N32", SCMP_ARCH_MIPS64N32},
    {"SCMP_ARCH_MIPSEL", SCMP_ARCH_MIPSEL},
    {"SCMP_ARCH_MIPSEL64", SCMP_ARCH_MIPSEL64},
    {"SCMP_ARCH_MIPSEL64N32", SCMP_ARCH_MIPSEL64N32},
    {"SCMP_ARCH_PPC", SCMP_ARCH_PPC},
    {"SCMP_ARCH_PPC64", SCMP_ARCH_PPC64},
    {"SCMP_ARCH_PPC64LE", SCMP_ARCH_PPC64LE},
    {"SCMP_ARCH_S390", SCMP_ARCH_S390},
    {"SCMP_ARCH_S390X", SCMP_ARCH_S390X},
    {"SCMP_ARCH_PARISC", SCMP_ARCH_PARISC},
    {"SCMP_ARCH_PARISC64", SCMP_ARCH_PARISC64},
    {"SCMP_ARCH_RISCV64", SCMP_ARCH_RISCV64},
}};

}  // namespace

std::optional<uint32_t> arch_from_name(const std::string& name) {
  for (const auto& [n, token] : kArches)
    if (name == n) return token;
  return std::nullopt;
}

void check_architecture_names(const std::vector<std::string>& names) {
  for (size_t i = 0; i < names.size(); ++i)
    if (!arch_from_name(names[i]))
      throw Error("linux.seccomp.architectures[" + std::to_string(i) + "]: unknown architecture \"" +
                  names[i] + "\"");
}

const char* native_arch_name() {
#if defined(__x86_64__) && defined(__ILP32__)
  return "SCMP_ARCH_X32";
#elif defined(__x86_64__)
  return "SCMP_ARCH_X86_64";
#elif defined(__i386__)
  return "SCMP_ARCH_X86";
#elif defined(__aarch64__)
  return "SCMP_ARCH_AARCH64";
#elif defined(__arm__)
  return "SCMP_ARCH_ARM";
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  return "SCMP_ARCH_PPC64LE";
#elif defined(__powerpc64__)
  return "SCMP_ARCH_PPC64";
#elif defined(__s390x__)
  return "SCMP_ARCH_S390X";
#elif defined(__riscv) && __riscv_xlen == 64
  return "SCMP_ARCH_RISCV64";
#else
#error "unsupported architecture"
#endif
}

uint32_t native_arch() {
  return *arch_from_name(native_arch_name());
}

std::optional<int> native_syscall_number(const std::string& name) {
  int nr = seccomp_syscall_resolve_name(name.c_str());
  if (nr < 0) return std::nullopt;  // unknown, or a pseudo number for a call only other architectures have
  return nr;
}

std::optional<std::string> native_syscall_name(int nr) {
  char* name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
  if (name == nullptr) return std::nullopt;
  std::string out(name);
  std::free(name);
  return out;
}

}  // namespace agentrt::seccomp
