#pragma once
// The few systemd Manager calls the systemd cgroup driver makes, over systemd's private socket
// /run/systemd/private: a direct connection that works without a D-Bus daemon, as runc connects as root.
// Each call that queues a job waits for that job's JobRemoved signal before it returns.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
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
  // Stops the unit and waits for its job, or until gone() says the unit's cgroup is removed; a unit systemd
  // no longer knows is already stopped. Then resets a failed state, so no failed unit of that name lingers.
  void stop_unit(const std::string& unit, const std::function<bool()>& gone);
  // Runtime (not persistent) property change, as `systemctl set-property --runtime`.
  void set_unit_properties(const std::string& unit, const std::vector<UnitProperty>& props);
  // The unit's ControlGroup property (its cgroup path below the cgroup2 mount), read through GetUnit and
  // org.freedesktop.DBus.Properties.Get on the unit's Scope (or Slice) interface; nullopt when systemd
  // does not have it (no such unit or property, or an empty value).
  std::optional<std::string> unit_control_group(const std::string& unit);

 private:
  explicit Bus(UniqueFd fd) : fd_(std::move(fd)) {}
  // Sends a Manager method call; returns its reply (a method return or an error) and records the
  // JobRemoved signals read on the way.
  dbus::Message call(const std::string& member, const dbus::Body& body, const std::string& what);
  // The same, but returns nullopt as soon as finished() says the call's effect is already there.
  std::optional<dbus::Message> call(const std::string& member, const dbus::Body& body,
                                    const std::string& what, const std::function<bool()>& finished);
  // Any method call to systemd (another object or interface than the Manager).
  std::optional<dbus::Message> call(const dbus::Call& target, const dbus::Body& body, const std::string& what,
                                    const std::function<bool()>& finished);
  // The next whole message, or nullopt when none came by until_ms.
  std::optional<dbus::Message> receive(int64_t until_ms, const std::string& what);
  void wait_job(const std::string& job, const std::string& what, const std::function<bool()>& finished);
  void reset_failed(const std::string& unit);

  UniqueFd fd_;
  uint32_t serial_ = 0;
  std::string inbuf_;
  std::map<std::string, std::string> finished_jobs_;  // job object path -> result ("done", "failed" ...)
};

}  // namespace agentrt::cgroups::systemd
