// config.json -> Spec, then the agent floor over it, then the seccomp compile the runtime would run. A bad
// config must end in an agentrt::Error (which names the field); any other exception, or a sanitizer report,
// is a bug. The libseccomp build runs in this process (compile() forks it off under a deadline), so the
// sanitizers see every libseccomp call.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "oci/parse.hpp"
#include "oci/support/error.hpp"
#include "seccomp/agent_policy.hpp"
#include "seccomp/bpf_build.hpp"
#include "seccomp/ruleset.hpp"

using namespace agentrt;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto j = nlohmann::json::parse(data, data + size, nullptr, false);
  if (j.is_discarded()) return 0;
  try {
    oci::Spec spec = oci::parse_spec(j);
    policy::apply_agent_policy(spec, policy::Profile::agent_default);
    if (spec.linux && spec.linux->seccomp) {
      std::vector<std::string> warnings;
      seccomp::build_bpf(seccomp::build_ruleset(*spec.linux->seccomp), warnings);
    }
  } catch (const Error&) {
  }
  return 0;
}
