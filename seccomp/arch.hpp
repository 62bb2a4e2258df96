#pragma once
// OCI architecture names ("SCMP_ARCH_X86_64") <-> libseccomp arch tokens, resolved from a table so the
// compiled-BPF cache path never has to call libseccomp.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace agentrt::seccomp {

std::optional<uint32_t> arch_from_name(const std::string& name);
// Throws Error "linux.seccomp.architectures[1]: unknown architecture \"X\"" for a name not in the table
// (libseccomp would otherwise never be asked and the name silently ignored).
void check_architecture_names(const std::vector<std::string>& names);
// The architecture this binary was built for, as an OCI name ("SCMP_ARCH_X86_64").
const char* native_arch_name();
uint32_t native_arch();

// The native number of a syscall, nullopt when the native architecture has no such call.
std::optional<int> native_syscall_number(const std::string& name);
// The native name of syscall `nr`, nullopt when the number is unassigned.
std::optional<std::string> native_syscall_name(int nr);

}  // namespace agentrt::seccomp
