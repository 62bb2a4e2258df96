#pragma once
// The calls the supervisor answers and the errno for each, handed to it on its command line as text
// ("nr:errno:name,..."), so the supervisor needs neither the profiles nor libseccomp. Pure.
#include <string>
#include <vector>

#include "seccomp/audited_call.hpp"

namespace agentrt::audit {

using seccomp::AuditedCall;

std::string encode_calls(const std::vector<AuditedCall>& calls);
// Throws Error naming the malformed entry.
std::vector<AuditedCall> decode_calls(const std::string& text);

// The entry for syscall nr, or nullptr (a call the floor does not name: answered EPERM, recorded as such).
const AuditedCall* find_call(const std::vector<AuditedCall>& calls, int nr);

}  // namespace agentrt::audit
