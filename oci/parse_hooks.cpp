// hooks
#include "oci/parse_internal.hpp"

namespace agentrt::oci::detail {
namespace {

std::vector<Hook> parse_hook_list(const Node& n) {
  std::vector<Hook> out;
  for (const Node& item : n.items()) {
    Hook h;
    Node path = item.object()["path"];
    h.path = path.required().str();
    if (!is_absolute(h.path)) path.fail("must be an absolute path, got \"" + h.path + "\"");
    h.args = item["args"].str_list();
    h.env = item["env"].str_list();
    Node timeout = item["timeout"];
    h.timeout = timeout.opt_int<int>();
    if (h.timeout && *h.timeout <= 0)
      timeout.fail("must be greater than zero, got " + std::to_string(*h.timeout));
    out.push_back(std::move(h));
  }
  return out;
}

}  // namespace

Hooks parse_hooks(const Node& n) {
  Hooks h;
  if (!n.present()) return h;
  n.object();
  h.prestart = parse_hook_list(n["prestart"]);
  h.create_runtime = parse_hook_list(n["createRuntime"]);
  h.create_container = parse_hook_list(n["createContainer"]);
  h.start_container = parse_hook_list(n["startContainer"]);
  h.poststart = parse_hook_list(n["poststart"]);
  h.poststop = parse_hook_list(n["poststop"]);
  return h;
}

}  // namespace agentrt::oci::detail

namespace agentrt::oci {

Hooks parse_hooks(const nlohmann::json& j, const std::string& path) {
  return detail::parse_hooks(detail::Node(&j, path));
}

}  // namespace agentrt::oci
