#pragma once
// A container's audit log opened for appending (audit/log.hpp says where and why), and the supervisors that
// write it: one per filter chain, so one for the init (create) and one per exec'd process.
#include <sys/types.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "audit/call_table.hpp"
#include "oci/support/unique_fd.hpp"

namespace agentrt::audit {

class Trail {
 public:
  // A new log for a container being created (replacing one a former container of this id left); removed
  // again by the destructor unless keep() was called. Errors name the path.
  static Trail start(const std::string& state_root, const std::string& id);
  // The container's existing log, for an exec'd process (never removed).
  static Trail reopen(const std::string& state_root, const std::string& id);
  Trail(Trail&&) = default;
  ~Trail();

  void keep() { remove_ = false; }
  const std::string& path() const { return path_; }
  // Appends {"source": "agentrt", "notice": message}.
  void notice(const std::string& message);
  // Appends one record (one write, so lines of concurrent writers never interleave).
  void append(const nlohmann::json& record);
  // Starts the supervisor with this listener (audit/supervisor.hpp): this binary re-executed in its minimal
  // mode, in a session of its own, outside the container's pid and time namespaces (it reads the caller's
  // /proc/<pid>/comm), not a child of this process. Returns its pid once it reported ready; throws with the
  // reason when it cannot start.
  pid_t start_supervisor(int listener_fd, const std::vector<AuditedCall>& calls);

 private:
  Trail(std::string id, std::string path, UniqueFd fd, bool remove)
      : id_(std::move(id)), path_(std::move(path)), fd_(std::move(fd)), remove_(remove) {}
  std::string id_;
  std::string path_;
  UniqueFd fd_;
  bool remove_;
};

}  // namespace agentrt::audit
