// agentrt audit ID [--follow] [--json]: the calls the agent policy denied the container (audit/).
#include <unistd.h>

#include <cstdio>

#include "audit/log.hpp"
#include "audit/record.hpp"
#include "oci/support/fs.hpp"
#include "runtime/audit_egress.hpp"
#include "runtime/cli/command.hpp"
#include "runtime/status.hpp"

namespace agentrt::cli {
namespace {

void print(const std::vector<nlohmann::json>& records, bool json) {
  for (const auto& r : records) std::printf("%s\n", json ? r.dump().c_str() : audit::describe(r).c_str());
  std::fflush(stdout);
}

// The egress filter's denials since the last look, into the log (runtime/audit_egress.hpp); a container
// deleted meanwhile had them copied by its delete.
void copy_egress(const runtime::Context& ctx, const std::string& id) {
  if (!ctx.store.exists(id)) return;
  try {
    runtime::Container c = runtime::open_container(ctx.store, id);
    runtime::copy_egress_denials_to_audit(ctx.store.root(), ctx.store.dir(id), id, c.rec.agent_policy);
  } catch (const Error& e) {
    ctx.log.warn("audit " + id + ": egress denials not copied: " + e.what());
  }
}

// Until the container stops or is deleted.
bool still_running(const runtime::Context& ctx, const std::string& id) {
  if (!ctx.store.exists(id)) return false;
  runtime::Container c = runtime::open_container(ctx.store, id);
  return runtime::container_status(ctx.store, c) != oci::Status::stopped;
}

}  // namespace

int cmd_audit(const runtime::Context& ctx, const Args& args) {
  bool follow = false, json = false;
  po::options_description d("audit");
  d.add_options()("follow,f", po::bool_switch(&follow), "go on printing until the container stops")(
      "json", po::bool_switch(&json), "one JSON record per line");
  Parsed p = parse(args, d);
  std::string id = container_id(p, "audit");
  runtime::validate_container_id(id);  // it names a file under the state root
  // The log outlives the container (audit/log.hpp): a deleted container's trail still prints.
  std::string path = audit::log_path(ctx.store.root(), id);
  if (!fs::exists(path)) {
    if (ctx.store.exists(id))
      throw Error("audit " + id +
                  ": the container has no audit trail (audit is off; turn it on with the "
                  "annotation run.agentrt.audit=true, --audit or \"audit\": true in the config file)");
    throw Error("audit " + id + ": no such container and no audit log " + path);
  }
  audit::LogTail log(path);
  copy_egress(ctx, id);
  print(log.read_new(), json);
  if (!follow) return 0;
  while (still_running(ctx, id)) {
    ::usleep(200 * 1000);
    copy_egress(ctx, id);
    print(log.read_new(), json);
  }
  // A supervisor may still write the denials of the container's last moments.
  ::usleep(200 * 1000);
  print(log.read_new(), json);
  return 0;
}

}  // namespace agentrt::cli
