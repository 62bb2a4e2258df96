#pragma once
// create's part: make the store for a workspace plan, record the host directories' baselines and put the
// overlays in the spec in place of the binds. The init then mounts them like any other spec mount.
#include <string>

#include "oci/spec.hpp"
#include "workspace/settings.hpp"
#include "workspace/store.hpp"

namespace agentrt::workspace {

// Owns a store directory made by prepare_workspace: removed on destruction unless keep() was called (a
// create that fails leaves nothing behind).
class PreparedStore {
 public:
  PreparedStore() = default;
  PreparedStore(Store store, std::string id) : store_(std::move(store)), id_(std::move(id)) {}
  PreparedStore(PreparedStore&& o) noexcept : store_(o.store_), id_(std::exchange(o.id_, "")) {}
  PreparedStore& operator=(PreparedStore&&) = delete;
  PreparedStore(const PreparedStore&) = delete;
  ~PreparedStore();
  void keep() { id_.clear(); }

 private:
  Store store_{""};
  std::string id_;
};

// Does nothing for an empty plan. Throws naming the store when a workspace with this id is there already
// (an earlier container's changes, not yet committed or discarded) or a source is not a directory.
// `state_root` is the runtime's --root, recorded for commit and discard.
PreparedStore prepare_workspace(oci::Spec& spec, const Plan& plan, const std::string& id,
                                const std::string& created, const std::string& state_root);

}  // namespace agentrt::workspace
