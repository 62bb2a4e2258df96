#pragma once
// The few systemd Manager calls the systemd cgroup driver makes, over systemd's private socket
// /run/systemd/private: a direct connection that works without a D-Bus daemon, as runc connects as root.
// Each call that queues a job waits for that job's JobRemoved signal before it returns.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "cgroups/systemd/dbus_wire.hpp"
#include "cgroups/systemd/unit_properties.hpp"
#include "oci/support/unique_fd.hpp"

namespace agentrt::cgroups::systemd {

// runc's test (and sd_booted's): systemd is PID 1 when /run/systemd/system is a directory.
bool systemd_running();

class Bus {
 public:
  // Throws when systemd is not running or its private socket refuses the connection.
  static Bus connect();

  // Creates a transient unit (mode "replace") and waits until systemd has started it. A failed or inactive
  // leftover of the same name is reset and replaced; an active one is an error.
  void start_transient_unit(const std::string& unit, const std::vector<UnitProperty>& props);
  // Stops the unit and waits; a unit systemd no longer knows is already stopped. Then resets a failed state,
  // so no failed unit of that name lingers.
  void stop_unit(const std::string& unit);
  // Runtime (not persistent) property change, as `systemctl set-property --runtime`.
  void set_unit_properties(const std::string& unit, const std::vector<UnitProperty>& props);

 private:
  explicit Bus(UniqueFd fd) : fd_(std::move(fd)) {}
  // Sends a Manager method call; returns its reply (a method return or an error) and records the
  // JobRemoved signals read on the way.
  dbus::Message call(const std::string& member, const dbus::Body& body, const std::string& what);
  dbus::Message receive(const std::string& what);
  void wait_job(const std::string& job, const std::string& what);
  void reset_failed(const std::string& unit);

  UniqueFd fd_;
  uint32_t serial_ = 0;
  std::string inbuf_;
  std::map<std::string, std::string> finished_jobs_;  // job object path -> result ("done", "failed" ...)
  int64_t deadline_ms_ = 0;
};

}  // namespace agentrt::cgroups::systemd
