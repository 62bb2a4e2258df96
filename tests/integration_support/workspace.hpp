#pragma once
// A per-test directory that owns the bundles made in it, for suites whose fixture checks every container.
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bundle.hpp"

namespace itest {

namespace stdfs = std::filesystem;
using nlohmann::json;

// Creates base on construction and removes it, bundles and all, on destruction (after a derived fixture's
// destructor has deleted the containers and run its checks).
class Workspace {
 public:
  explicit Workspace(stdfs::path base);
  ~Workspace();
  Workspace(const Workspace&) = delete;
  Workspace& operator=(const Workspace&) = delete;
  const stdfs::path& base() const { return base_; }

 protected:
  // A bundle with the given id at base()/dir_name, kept until the workspace goes.
  Bundle& add_bundle(const std::string& dir_name, const std::string& id, json config);
  const std::vector<std::unique_ptr<Bundle>>& bundles() const { return bundles_; }

 private:
  stdfs::path base_;
  std::vector<std::unique_ptr<Bundle>> bundles_;
};

}  // namespace itest
