// The profile selection: annotations (from the engine, so from whoever runs the container), the --profile
// flag and /etc/agentrt/config.json. The input is split on the first two NUL bytes into an annotations object
// (JSON), a flag value and the config file's text. Selection ends in a profile or an agentrt::Error, and the
// selected profile applies to a default spec without error.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "oci/default_spec.hpp"
#include "oci/parse.hpp"
#include "oci/support/error.hpp"
#include "oci/support/fs.hpp"
#include "seccomp/agent_policy.hpp"

using namespace agentrt;

namespace {

std::string next_part(std::string& rest) {
  size_t nul = rest.find('\0');
  std::string part = rest.substr(0, nul);
  rest = nul == std::string::npos ? "" : rest.substr(nul + 1);
  return part;
}

const std::string& config_path() {
  static const std::string path = [] {
    std::string tmpl = (std::filesystem::temp_directory_path() / "agentrt-fuzz-policy-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) abort();
    return tmpl + "/config.json";
  }();
  return path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string rest(reinterpret_cast<const char*>(data), size);
  std::string annotations_text = next_part(rest);
  std::string flag = next_part(rest);
  fs::write_file(config_path(), rest);

  auto spec_json = oci::default_spec(false);
  auto annotations = nlohmann::json::parse(annotations_text, nullptr, false);
  if (annotations.is_discarded()) return 0;
  spec_json["annotations"] = annotations;
  try {
    oci::Spec spec = oci::parse_spec(spec_json);
    auto profile = policy::select_profile(spec, flag, config_path());
    policy::apply_agent_policy(spec, profile);
  } catch (const Error&) {
  }
  return 0;
}
