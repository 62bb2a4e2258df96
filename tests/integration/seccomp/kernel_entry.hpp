#pragma once
// Whether this kernel has a 32-bit syscall entry, probed at test time: kernels built without IA32 emulation
// (or booted with ia32_emulation=0, since 6.7) answer `int 0x80` with SIGSEGV before any seccomp filter runs,
// so a 32-bit socketcall is an attack the kernel itself already refuses there.
#include <signal.h>

#include <catch2/catch.hpp>
#include <string>

#include "child.hpp"

namespace agentrt::seccomp::itest {

enum class Int80Entry { works, refused_by_kernel };

// Runs the probe's int 0x80 socketcall unfiltered in a forked child. Any outcome other than success or
// SIGSEGV fails the calling test: it would be neither kind of kernel.
inline Int80Entry int80_entry() {
  Outcome open = probe(nullptr, "int80_socketcall");
  INFO("unfiltered int 0x80 socketcall: signal " << open.signal << ", printed '" << open.out << "'");
  if (open.signal == SIGSEGV) return Int80Entry::refused_by_kernel;
  REQUIRE(open.signal == 0);
  REQUIRE(open.out == "OK\n");
  return Int80Entry::works;
}

// The shell's $? for `probe int80_socketcall` in a container, with and without a seccomp filter: the filter's
// SIGSYS when the kernel has the entry, the kernel's SIGSEGV either way when it has not.
inline std::string int80_status(Int80Entry entry, bool filtered) {
  if (entry == Int80Entry::refused_by_kernel) return std::to_string(128 + SIGSEGV);
  return filtered ? std::to_string(128 + SIGSYS) : "0";
}

}  // namespace agentrt::seccomp::itest
