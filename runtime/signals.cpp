#include <signal.h>
#include <string.h>

#include <algorithm>
#include <cctype>
#include <string>

#include "oci/support/error.hpp"
#include "runtime/lifecycle.hpp"

namespace agentrt::runtime {

int parse_signal(const std::string& s) {
  if (!s.empty() &&
      std::all_of(s.begin(), s.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
    int n = std::stoi(s);
    if (n >= 0 && n < NSIG) return n;  // 0 only checks that the process exists, as kill(2)
    throw Error("invalid signal: " + s);
  }
  std::string name = s;
  for (auto& ch : name) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  if (name.rfind("SIG", 0) == 0) name = name.substr(3);
  for (int sig = 1; sig < NSIG; ++sig) {
    const char* abbrev = ::sigabbrev_np(sig);
    if (abbrev && name == abbrev) return sig;
  }
  // Real-time signals: RTMIN+n / RTMAX-n.
  if (name.rfind("RTMIN", 0) == 0) {
    int off = name.size() > 6 && name[5] == '+' ? std::stoi(name.substr(6)) : 0;
    if (SIGRTMIN + off <= SIGRTMAX) return SIGRTMIN + off;
  }
  if (name.rfind("RTMAX", 0) == 0) {
    int off = name.size() > 6 && name[5] == '-' ? std::stoi(name.substr(6)) : 0;
    if (SIGRTMAX - off >= SIGRTMIN) return SIGRTMAX - off;
  }
  throw Error("invalid signal: " + s);
}

}  // namespace agentrt::runtime
