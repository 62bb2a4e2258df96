#include "oci/support/error.hpp"
#include "runtime/container_egress.hpp"
#include "runtime/lifecycle.hpp"
#include "runtime/status.hpp"

namespace agentrt::runtime {

nlohmann::json container_state_json(const Context& ctx, const std::string& id) {
  Container c = open_container(ctx.store, id);
  oci::State st = oci_state(ctx.store, c);
  nlohmann::json j = oci::to_json(st);
  j["rootfs"] = c.rec.rootfs;
  j["created"] = c.rec.created;
  j["owner"] = c.rec.owner;
  if (!c.rec.agent_policy.is_null()) {
    j["agentrt"]["agentPolicy"] = c.rec.agent_policy;
    nlohmann::json network = network_status(c.rec.agent_policy);
    if (!network.is_null()) j["agentrt"]["agentPolicy"]["network"] = network;
  }
  nlohmann::json interrupted = interruption(c.rec, phase_owner_alive(c.rec), st.status);
  if (!interrupted.is_null()) j["agentrt"]["interrupted"] = interrupted;
  return j;
}

std::vector<nlohmann::json> list_containers(const Context& ctx) {
  std::vector<nlohmann::json> out;
  for (const auto& id : ctx.store.list()) {
    try {
      out.push_back(container_state_json(ctx, id));
    } catch (const Error& e) {
      ctx.log.warn("list: " + id + ": " + e.what());
    }
  }
  return out;
}

}  // namespace agentrt::runtime
