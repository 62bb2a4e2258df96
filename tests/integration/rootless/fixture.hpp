#pragma once
// The rootless suite's fixture: a test user (test_user.hpp), a copy of the runtime it may execute, and
// busybox bundles it owns. The same checks run with runc (the reference) and agentrt.
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "integration_support/bundle.hpp"
#include "test_user.hpp"

namespace rootless_test {

// Subordinate ids given to the test user: away from useradd's automatic ranges (100000 + 65536 * n).
inline constexpr SubordinateRange kSubids{2100000, 65536};
inline const char* kUserName = "rootless-it";

class Fixture {
 public:
  explicit Fixture(SubordinateRange subids = kSubids);
  ~Fixture();

  TestUser& user() { return *user_; }
  // "agentrt" or "runc": the binary path the user runs.
  std::string binary(const std::string& runtime) const;
  // A bundle from `<runtime> spec --rootless` (written by the user), busybox rootfs, args set, owned by the
  // user. The id is prefixed with the suite's name.
  itest::Bundle& bundle(const std::string& runtime, const std::string& name,
                        const std::vector<std::string>& args);
  // <runtime> [--root state] args..., as the user.
  itest::Result rt(const std::string& runtime, const std::vector<std::string>& args,
                   std::map<std::string, std::string> env = {}, int timeout_s = 30) const;
  // The state root the runtime uses for the user when no --root is given.
  stdfs::path state_root(const std::string& runtime) const;
  // What a failed or deleted container `id` may have left: a state entry or a cgroup named after it.
  std::vector<std::string> leftovers(const std::string& runtime, const std::string& id) const;
  // Saves the bundle's config and hands it to the user.
  void save(itest::Bundle& b);

 private:
  std::unique_ptr<TestUser> user_;
  stdfs::path bin_dir_;
  std::vector<std::unique_ptr<itest::Bundle>> bundles_;
};

}  // namespace rootless_test
