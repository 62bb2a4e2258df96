#pragma once
// One fault-injection scenario's world: a state root, a busybox bundle running `sleep`, and everything named
// after one tag (ids, root, bundle path) so the census sees only this run's leftovers and scrub() can remove
// them without touching anything else on the machine.
#include <string>
#include <vector>

#include "integration_support/census.hpp"
#include "integration_support/runtime.hpp"

namespace fault {

namespace stdfs = std::filesystem;

class FaultEnv {
 public:
  // extra_globals: more agentrt global flags (e.g. {"--profile", "off"}).
  explicit FaultEnv(const std::string& name, std::vector<std::string> extra_globals = {});
  ~FaultEnv();
  FaultEnv(const FaultEnv&) = delete;
  FaultEnv& operator=(const FaultEnv&) = delete;

  const std::string& tag() const { return tag_; }
  const stdfs::path& base() const { return base_; }
  const stdfs::path& bundle() const { return bundle_; }
  const itest::Runtime& runtime() const { return runtime_; }
  std::string id(const std::string& suffix) const { return tag_ + "-" + suffix; }

  itest::Census census() const { return itest::take_census(tag_, runtime_.root()); }
  // Removes by hand whatever carries the tag (processes killed, cgroups thawed and removed, mounts detached,
  // state dirs deleted), so one failed kill point does not fail the next; returns what it had to remove.
  std::vector<std::string> scrub() const;

  // The commands the scenarios need, each checked by the caller.
  itest::Result run(const std::vector<std::string>& args, int timeout_s = 20) const {
    return runtime_(args, timeout_s);
  }
  itest::Result create(const std::string& id) const { return run({"create", "--bundle", bundle_, id}); }

 private:
  std::string tag_;
  stdfs::path base_;
  stdfs::path bundle_;
  itest::Runtime runtime_;
};

}  // namespace fault
