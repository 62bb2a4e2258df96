#include "workspace.hpp"

namespace itest {

Workspace::Workspace(stdfs::path base) : base_(std::move(base)) {
  stdfs::create_directories(base_);
}

Workspace::~Workspace() {
  bundles_.clear();
  std::error_code ec;
  stdfs::remove_all(base_, ec);
}

Bundle& Workspace::add_bundle(const std::string& dir_name, const std::string& id, json config) {
  return *bundles_.emplace_back(std::make_unique<Bundle>(base_ / dir_name, id, std::move(config)));
}

}  // namespace itest
