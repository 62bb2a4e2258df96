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

}  // namespace agentrt::runtime
