#include "oci/parse.hpp"

#include "oci/parse_internal.hpp"
#include "oci/support/fs.hpp"

namespace agentrt::oci {
namespace {

// nlohmann's messages start with "[json.exception.parse_error.101] "; the rest ("parse error at line 3,
// column 5: syntax error ...") is what a user needs.
std::string json_error_text(const nlohmann::json::exception& e) {
  std::string text = e.what();
  if (auto end = text.find("] "); text.rfind("[json.exception.", 0) == 0 && end != std::string::npos)
    text.erase(0, end + 2);
  return text;
}

}  // namespace

Spec parse_spec(const nlohmann::json& j) {
  using detail::Node;
  Node n(&j, "");
  n.object();
  Spec s;
  s.oci_version = n["ociVersion"].required().str();
  Node root = n["root"];
  root.required().object();
  s.root.path = root["path"].required().str();
  if (s.root.path.empty()) root["path"].fail("must not be empty");
  s.root.readonly = root["readonly"].bool_or(false);
  if (Node p = n["process"]; p.present()) s.process = detail::parse_process(p);
  s.hostname = detail::uts_name(n["hostname"]);
  s.domainname = detail::uts_name(n["domainname"]);
  s.mounts = detail::parse_mounts(n["mounts"]);
  s.hooks = detail::parse_hooks(n["hooks"]);
  s.annotations = n["annotations"].str_map();
  if (Node l = n["linux"]; l.present()) s.linux = detail::parse_linux(l);
  return s;
}

Spec load_spec(const std::string& config_path) {
  const std::string prefix = "config.json: ";
  std::string text;
  try {
    text = fs::read_file(config_path);
  } catch (const Error& e) {
    throw SpecError(prefix + e.what(), e.error_number());
  }
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw SpecError(prefix + json_error_text(e));
  }
  try {
    return parse_spec(j);
  } catch (const SpecError& e) {
    throw SpecError(prefix + e.what());
  }
}

}  // namespace agentrt::oci
