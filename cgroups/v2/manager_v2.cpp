#include "cgroups/v2/manager_v2.hpp"

#include <fcntl.h>

#include <csignal>
#include <set>
#include <sstream>

#include "cgroups/cgroupfs.hpp"
#include "cgroups/device_bpf.hpp"
#include "cgroups/executor.hpp"
#include "cgroups/freezer.hpp"
#include "cgroups/kill.hpp"
#include "cgroups/occupancy.hpp"
#include "cgroups/oom.hpp"
#include "cgroups/plan.hpp"
#include "cgroups/stats.hpp"
#include "oci/support/error.hpp"
#include "oci/support/fs.hpp"
#include "oci/support/unique_fd.hpp"

namespace agentrt::cgroups {
namespace {

std::set<std::string> word_set(const std::string& text) {
  std::set<std::string> out;
  std::istringstream in(text);
  std::string w;
  while (in >> w) out.insert(w);
  return out;
}

// Enables in every ancestor's cgroup.subtree_control the controllers it has, so that the leaf gets
// them all. One at a time: a controller the kernel refuses (threaded, busy) must not block the others;
// a missing controller surfaces later as an error naming the resource that needed it.
void enable_controllers(const std::string& mountpoint, const std::string& path) {
  std::string dir = mountpoint;
  std::istringstream in(path);
  std::string comp;
  std::vector<std::string> comps;
  while (std::getline(in, comp, '/'))
    if (!comp.empty()) comps.push_back(comp);
  for (size_t i = 0; i + 1 <= comps.size(); ++i) {
    auto available = word_set(fs::read_file_if_exists(fs::join(dir, "cgroup.controllers")).value_or(""));
    auto enabled = word_set(fs::read_file_if_exists(fs::join(dir, "cgroup.subtree_control")).value_or(""));
    for (const auto& c : available)
      if (!enabled.count(c)) cgroupfs::write(dir, "cgroup.subtree_control", "+" + c);
    dir = fs::join(dir, comps[i]);
  }
}

class DirWriter : public Writer {
 public:
  explicit DirWriter(std::string dir) : dir_(std::move(dir)) {
    controllers_ = word_set(fs::read_file_if_exists(fs::join(dir_, "cgroup.controllers")).value_or(""));
  }
  bool has_controller(const std::string& c) const override { return c.empty() || controllers_.count(c) > 0; }
  int write(const std::string&, const std::string& file, const std::string& value) override {
    return cgroupfs::write(dir_, file, value);
  }
  std::string path_of(const std::string&, const std::string& file) const override {
    return fs::join(dir_, file);
  }

 private:
  std::string dir_;
  std::set<std::string> controllers_;
};

class V2Manager : public Manager {
 public:
  V2Manager(std::string mountpoint, std::string path, std::vector<std::string> created)
      : mount_(std::move(mountpoint)), path_(std::move(path)), created_(std::move(created)) {
    dir_ = fs::join(mount_, path_);
  }

  Layout layout() const override { return Layout::unified; }

  void reserve() override {
    if (reserved_) return;
    created_ = cgroupfs::missing_dirs(mount_, path_);
    if (created_.empty()) check_takeable(path_, dir_);
    reserved_ = true;
  }

  void create() override {
    reserve();
    auto made = cgroupfs::make_dirs(created_);
    try {
      enable_controllers(mount_, path_);
    } catch (...) {
      cgroupfs::remove_created(made, dir_);
      throw;
    }
  }

  void add_process(pid_t pid) override { cgroupfs::add_pid(dir_, pid); }
  std::string clone_into_dir() const override { return dir_; }
  std::vector<std::string> self_join_files() const override { return {}; }

  void apply(const oci::Resources& r) override {
    Plan plan = plan_v2(r);
    DirWriter w(dir_);
    execute(plan.writes, w);
    if (!plan.device_rules.empty()) {
      UniqueFd fd(::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
      if (!fd) throw sys_error("open " + dir_);
      try {
        attach_device_program(fd.get(), device_program(plan.device_rules));
      } catch (const Error& e) {
        throw e.wrap("linux.resources.devices");
      }
    }
    warnings_ = plan.warnings;
  }

  std::vector<std::string> warnings() const override { return warnings_; }
  void freeze() override { freeze_v2(dir_, true); }
  void thaw() override { freeze_v2(dir_, false); }
  bool frozen() const override { return fs::exists(dir_) && is_frozen_v2(dir_); }

  void kill_all(int sig) override {
    if (sig == SIGKILL && cgroup_kill(dir_)) {
      wait_empty(dir_);
      return;
    }
    signal_all(dir_, sig, nullptr);
  }

  std::vector<pid_t> pids() const override { return cgroupfs::read_procs(dir_, true); }
  nlohmann::json stats() const override { return stats_v2(dir_); }
  std::unique_ptr<OomWatcher> watch_oom() const override {
    if (!fs::exists(fs::join(dir_, "memory.events"))) return nullptr;
    return watch_oom_v2(dir_);
  }
  void destroy() override { cgroupfs::remove_created(created_, dir_); }
  std::string path() const override { return path_; }

  nlohmann::json save() const override {
    return {{"layout", "unified"}, {"mountpoint", mount_}, {"path", path_}, {"created", created_}};
  }

 private:
  std::string mount_, path_, dir_;
  std::vector<std::string> created_;
  bool reserved_ = false;
  std::vector<std::string> warnings_;
};

}  // namespace

std::unique_ptr<Manager> make_v2_manager(const std::string& mountpoint, const std::string& path,
                                         std::vector<std::string> created) {
  return std::make_unique<V2Manager>(mountpoint, path, std::move(created));
}

std::unique_ptr<Manager> load_v2_manager(const nlohmann::json& saved) {
  return make_v2_manager(saved.at("mountpoint").get<std::string>(), saved.at("path").get<std::string>(),
                         saved.value("created", std::vector<std::string>{}));
}

}  // namespace agentrt::cgroups
