#include "cgroups/systemd/manager_systemd.hpp"

#include <optional>

#include "cgroups/systemd/bus.hpp"
#include "cgroups/systemd/property_annotations.hpp"
#include "cgroups/systemd/unit_name.hpp"
#include "cgroups/systemd/unit_properties.hpp"
#include "cgroups/systemd/user_bus.hpp"
#include "cgroups/v2/manager_v2.hpp"
#include "oci/support/error.hpp"
#include "oci/support/fs.hpp"

namespace agentrt::cgroups::systemd {
namespace {

class SystemdManager : public Manager {
 public:
  SystemdManager(std::string id, UnitName unit, std::string mount, bool started,
                 std::vector<UnitProperty> annotated = {})
      : id_(std::move(id)),
        unit_(std::move(unit)),
        mount_(std::move(mount)),
        files_(make_v2_manager(mount_, unit_.path)),
        started_(started),
        annotated_(std::move(annotated)) {}

  Layout layout() const override { return Layout::unified; }
  void reserve() override {}

  // A slice holds no processes of its own in systemd's eyes, so it is started empty and the init is born in
  // its directory; a scope cannot exist without a process and starts in add_process().
  void create() override {
    if (unit_.is_slice) start(0);
  }

  void add_process(pid_t pid) override {
    if (started_) {
      files_->add_process(pid);
      return;
    }
    start(pid);
  }

  std::string clone_into_dir() const override { return started_ ? fs::join(mount_, unit_.path) : ""; }
  std::vector<std::string> self_join_files() const override { return {}; }

  void apply(const oci::Resources& r) override {
    if (!started_)
      throw Error("systemd unit " + unit_.unit + ": resources applied before the unit was started");
    auto props = resource_properties(r, fs::read_file_if_exists("/proc/devices").value_or(""));
    bus().set_unit_properties(unit_.unit, props);
    files_->apply(r);
  }

  std::vector<std::string> warnings() const override { return files_->warnings(); }
  void freeze() override { files_->freeze(); }
  void thaw() override { files_->thaw(); }
  bool frozen() const override { return files_->frozen(); }
  void kill_all(int sig) override { files_->kill_all(sig); }
  std::vector<pid_t> pids() const override { return files_->pids(); }
  nlohmann::json stats() const override { return files_->stats(); }
  std::unique_ptr<OomWatcher> watch_oom() const override { return files_->watch_oom(); }

  // systemd removes the unit's cgroup (with what the container made below it, the subtree is delegated).
  void destroy() override {
    if (!systemd_running()) return;  // nothing of ours can exist without systemd
    std::string dir = fs::join(mount_, unit_.path);
    bus().stop_unit(unit_.unit, [&dir] { return !fs::exists(dir); });
    started_ = false;
  }

  std::string path() const override { return unit_.path; }

  nlohmann::json save() const override {
    return {{"layout", "unified"},     {"driver", "systemd"},    {"id", id_},
            {"unit", unit_.unit},      {"parent", unit_.parent}, {"path", unit_.path},
            {"slice", unit_.is_slice}, {"mountpoint", mount_}};
  }

 private:
  Bus& bus() {
    if (!bus_) bus_.emplace(Bus::connect());
    return *bus_;
  }

  // After the start the unit's cgroup is where systemd says (its ControlGroup), not where its name says:
  // they differ when systemd runs in a cgroup namespace or a slice is nested differently than assumed.
  void start(pid_t pid) {
    auto props = unit_properties(unit_, id_, pid);
    props.insert(props.end(), annotated_.begin(), annotated_.end());
    bus().start_transient_unit(unit_.unit, props);
    started_ = true;
    if (auto group = bus().unit_control_group(unit_.unit); group && *group != unit_.path) {
      unit_.path = *group;
      files_ = make_v2_manager(mount_, unit_.path);
    }
  }

  std::string id_;
  UnitName unit_;
  std::string mount_;
  std::unique_ptr<Manager> files_;  // the v2 manager on the unit's directory; it creates and removes nothing
  bool started_;
  std::vector<UnitProperty> annotated_;  // from org.systemd.property.* annotations, sent at the start
  std::optional<Bus> bus_;
};

}  // namespace

std::unique_ptr<Manager> make_manager(const Config& cfg, Layout layout, const std::string& cgroup2_mount) {
  UnitName unit = unit_name(cfg);
  if (!systemd_running())
    throw Error("systemd not running on this host, cannot use systemd cgroups manager (--systemd-cgroup)");
  require_system_instance("/run/systemd/private");
  if (layout != Layout::unified || cgroup2_mount.empty())
    throw Error(
        std::string("--systemd-cgroup: agentrt's systemd driver needs a pure cgroup v2 host, this one is ") +
        to_string(layout));
  std::vector<UnitProperty> annotated = annotation_properties(cfg.annotations);
  return std::make_unique<SystemdManager>(cfg.id, std::move(unit), cgroup2_mount, false,
                                          std::move(annotated));
}

bool is_saved_systemd(const nlohmann::json& saved) {
  return saved.value("driver", "") == "systemd";
}

// A saved manager belongs to a container whose create got past its intent record: its unit is started, or
// is gone (StopUnit then finds nothing to stop).
std::unique_ptr<Manager> load_manager(const nlohmann::json& saved) {
  UnitName unit{saved.at("unit").get<std::string>(), saved.at("parent").get<std::string>(),
                saved.at("path").get<std::string>(), saved.at("slice").get<bool>()};
  return std::make_unique<SystemdManager>(saved.at("id").get<std::string>(), std::move(unit),
                                          saved.at("mountpoint").get<std::string>(), true);
}

}  // namespace agentrt::cgroups::systemd
