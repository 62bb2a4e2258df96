#include "fixture.hpp"

#include <catch2/catch.hpp>
#include <fstream>

#include "integration_support/runtime.hpp"

namespace rootless_test {

Fixture::Fixture(SubordinateRange subids) : user_(std::make_unique<TestUser>(kUserName, subids)) {
  bin_dir_ = user_->home() / "bin";
  stdfs::create_directories(bin_dir_);
  stdfs::copy_file(itest::agentrt_bin(), bin_dir_ / "agentrt");
  user_->give(bin_dir_);
}

Fixture::~Fixture() {
  // Containers a failed check left running are the user's: delete them before the user goes.
  for (const auto& b : bundles_)
    for (const char* runtime : {"agentrt", "runc"}) rt(runtime, {"delete", "--force", b->id()});
  bundles_.clear();
  user_.reset();
}

std::string Fixture::binary(const std::string& runtime) const {
  return runtime == "runc" ? "/usr/sbin/runc" : (bin_dir_ / "agentrt").string();
}

stdfs::path Fixture::state_root(const std::string& runtime) const {
  return user_->runtime_dir() / runtime;
}

itest::Bundle& Fixture::bundle(const std::string& runtime, const std::string& name,
                               const std::vector<std::string>& args) {
  stdfs::path dir = user_->home() / "bundles" / (runtime + "-" + name);
  stdfs::create_directories(dir);
  auto b = std::make_unique<itest::Bundle>(dir, "rootless-" + runtime + "-" + name, itest::json::object());
  user_->give(dir);
  auto r = user_->run({binary(runtime), "spec", "--rootless", "--bundle", dir.string()});
  REQUIRE(r.code == 0);
  std::ifstream in(dir / "config.json");
  b->config() = itest::json::parse(in);
  b->config()["process"]["terminal"] = false;
  b->args(args);
  save(*b);
  bundles_.push_back(std::move(b));
  return *bundles_.back();
}

void Fixture::save(itest::Bundle& b) {
  b.save();
  user_->give(b.dir() / "config.json");
}

itest::Result Fixture::rt(const std::string& runtime, const std::vector<std::string>& args,
                          std::map<std::string, std::string> env, int timeout_s) const {
  std::vector<std::string> argv{binary(runtime)};
  argv.insert(argv.end(), args.begin(), args.end());
  return user_->run(argv, std::move(env), timeout_s);
}

std::vector<std::string> Fixture::leftovers(const std::string& runtime, const std::string& id) const {
  std::vector<std::string> left;
  if (stdfs::exists(state_root(runtime) / id)) left.push_back("state " + (state_root(runtime) / id).string());
  for (const auto& cg : itest::cgroups_named(id)) left.push_back("cgroup " + cg.string());
  return left;
}

}  // namespace rootless_test
