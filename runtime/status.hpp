#pragma once
#include <memory>

#include "cgroups/manager.hpp"
#include "oci/state.hpp"
#include "runtime/state_store.hpp"

namespace agentrt::runtime {

// A loaded container: its record plus its cgroup manager.
struct Container {
  ContainerRecord rec;
  std::unique_ptr<cgroups::Manager> cgroup;
};

Container open_container(const StateStore& store, const std::string& id);

// Status from the init's pid and start time (a reused pid never reads as running), the exec fifo and the
// freezer.
oci::Status container_status(const StateStore& store, const Container& c);

oci::State oci_state(const StateStore& store, const Container& c);

// Whether the create or delete that the record's phase names is still running (its agentrt process).
bool phase_owner_alive(const ContainerRecord& r);

// For `state`: why a record was left in the creating or deleting phase by a command killed half-way,
// {"operation": "create"|"delete", "reason": ...}; null when no command was interrupted.
nlohmann::json interruption(const ContainerRecord& r, bool owner_alive, oci::Status status);

}  // namespace agentrt::runtime
