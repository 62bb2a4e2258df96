#include "runtime/audit_egress.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "audit/log.hpp"
#include "audit/record.hpp"
#include "audit/trail.hpp"
#include "oci/support/error.hpp"
#include "oci/support/fs.hpp"
#include "oci/support/unique_fd.hpp"

namespace agentrt::runtime {
namespace {

int64_t ns_of(clockid_t clock) {
  timespec ts{};
  ::clock_gettime(clock, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

uint64_t read_marker(int fd) {
  char buf[32] = {};
  ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
  return n > 0 ? std::strtoull(buf, nullptr, 10) : 0;
}

}  // namespace

EgressCopyPlan plan_egress_copy(const policy::EgressStats& stats, uint64_t last_seq,
                                int64_t monotonic_to_realtime_ns) {
  EgressCopyPlan plan{{}, last_seq};
  uint64_t first_kept = 0;
  for (const auto& d : stats.recent) {
    if (d.seq <= last_seq) continue;
    if (first_kept == 0) first_kept = d.seq;
    plan.records.push_back(audit::egress_record(static_cast<int64_t>(d.time_ns) + monotonic_to_realtime_ns,
                                                static_cast<int>(d.pid), d.comm, d.destination, d.err));
    plan.last_seq = d.seq;
  }
  // Denials counted after last_seq but older than anything still in the map.
  uint64_t newest = plan.last_seq > stats.denied_total ? plan.last_seq : stats.denied_total;
  uint64_t lost = (first_kept ? first_kept : newest + 1) - last_seq - 1;
  if (lost > 0) {
    int64_t when =
        plan.records.empty() ? monotonic_to_realtime_ns : plan.records.front().value("timeNs", 0LL);
    plan.records.insert(
        plan.records.begin(),
        audit::notice_record(when, std::to_string(lost) +
                                       " egress denial(s) were counted but not kept: the filter "
                                       "keeps its last denials only, and they were overwritten "
                                       "before anyone read the trail"));
    plan.last_seq = newest;
  }
  return plan;
}

void copy_egress_denials_to_audit(const std::string& state_root, const std::string& state_dir,
                                  const std::string& id, const nlohmann::json& agent_policy) {
  if (!agent_policy.is_object() || !agent_policy.contains("network")) return;
  std::string pin = agent_policy.at("network").value("statsMap", "");
  if (pin.empty() || !fs::exists(pin) || !fs::exists(audit::log_path(state_root, id))) return;
  std::string marker_path = state_dir + "/egress-audit.seq";
  UniqueFd marker(::open(marker_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!marker) throw sys_error("open " + marker_path);
  if (::flock(marker.get(), LOCK_EX) < 0) throw sys_error("lock " + marker_path);
  EgressCopyPlan plan = plan_egress_copy(policy::read_egress_stats(pin), read_marker(marker.get()),
                                         ns_of(CLOCK_REALTIME) - ns_of(CLOCK_MONOTONIC));
  if (plan.records.empty()) return;
  audit::Trail trail = audit::Trail::reopen(state_root, id);
  for (const auto& r : plan.records) trail.append(r);
  std::string text = std::to_string(plan.last_seq);
  if (::ftruncate(marker.get(), 0) < 0 ||
      ::pwrite(marker.get(), text.data(), text.size(), 0) != static_cast<ssize_t>(text.size()))
    throw sys_error("write " + marker_path);
}

}  // namespace agentrt::runtime
