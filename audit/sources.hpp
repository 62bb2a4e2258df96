#pragma once
// Every source of a container's audit records, read together: the log (seccomp denials from the supervisor,
// the runtime's notices) and any source added. Egress denials plug in with add(): a function returning the
// egress filter's denials newer than its previous call, each shaped by egress_record() (record.hpp) from
// policy/egress_stats.hpp's read_egress_stats(path).recent entries {time_ns, pid, comm, destination, err}.
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "audit/log.hpp"

namespace agentrt::audit {

class Sources {
 public:
  using Source = std::function<std::vector<nlohmann::json>()>;
  Sources(const std::string& state_root, const std::string& id) : log_(log_path(state_root, id)) {}
  void add(Source s) { extra_.push_back(std::move(s)); }
  // What every source has that was not returned before, ordered by timeNs (the log's own order on ties).
  std::vector<nlohmann::json> read_new();

 private:
  LogTail log_;
  std::vector<Source> extra_;
};

}  // namespace agentrt::audit
