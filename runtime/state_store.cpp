#include "runtime/state_store.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "oci/support/error.hpp"
#include "oci/support/fs.hpp"

namespace agentrt::runtime {

nlohmann::json to_json(const ContainerRecord& r) {
  return {{"id", r.id},
          {"bundle", r.bundle},
          {"rootfs", r.rootfs},
          {"pid", r.pid},
          {"start_time", r.start_time},
          {"created", r.created},
          {"owner", r.owner},
          {"annotations", r.annotations},
          {"hooks", r.hooks},
          {"cgroup", r.cgroup},
          {"agent_policy", r.agent_policy},
          {"systemd_cgroup", r.systemd_cgroup}};
}

ContainerRecord record_from_json(const nlohmann::json& j) {
  ContainerRecord r;
  r.id = j.at("id").get<std::string>();
  r.bundle = j.value("bundle", "");
  r.rootfs = j.value("rootfs", "");
  r.pid = j.value("pid", 0);
  r.start_time = j.value("start_time", 0ULL);
  r.created = j.value("created", "");
  r.owner = j.value("owner", "");
  r.annotations = j.value("annotations", std::map<std::string, std::string>{});
  r.hooks = j.value("hooks", nlohmann::json());
  // A container created before the config moved to its own file keeps it inside state.json.
  if (auto c = j.find("config"); c != j.end() && c->is_object() && !j.contains("hooks")) {
    r.hooks = c->value("hooks", nlohmann::json());
    if (auto a = c->find("annotations"); a != c->end() && a->is_object())
      r.annotations = a->get<std::map<std::string, std::string>>();
  }
  r.cgroup = j.value("cgroup", nlohmann::json());
  r.agent_policy = j.value("agent_policy", nlohmann::json());
  r.systemd_cgroup = j.value("systemd_cgroup", false);
  return r;
}

void validate_container_id(const std::string& id) {
  bool ok = !id.empty() && id != "." && id != ".." && std::all_of(id.begin(), id.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '+' || c == '-' || c == '.';
  });
  if (!ok) throw Error("invalid container id format: " + id);
}

namespace {

UniqueFd lock_dir(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd) {
    if (errno == ENOENT) throw Error("container does not exist", ENOENT);
    throw sys_error("open " + path);
  }
  if (::flock(fd.get(), LOCK_EX) < 0) throw sys_error("lock " + path);
  return fd;
}

void remove_tree(int dirfd, const std::string& what) {
  DIR* d = ::fdopendir(::dup(dirfd));
  if (!d) throw sys_error("opendir " + what);
  while (dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    if (::unlinkat(dirfd, name.c_str(), 0) == 0) continue;
    if (errno == EISDIR) {
      UniqueFd sub(::openat(dirfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (sub) remove_tree(sub.get(), what + "/" + name);
      ::unlinkat(dirfd, name.c_str(), AT_REMOVEDIR);
    }
  }
  ::closedir(d);
}

// The parser drops linux.seccomp.syscalls as it meets the key, so that subtree is never built.
nlohmann::json parse_without_seccomp_rules(const std::string& text) {
  std::string keys[3];  // the object keys leading to the value being parsed (depth 1 = the root's keys)
  auto keep = [&keys](int depth, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
    if (event != nlohmann::json::parse_event_t::key || depth < 1 || depth > 3) return true;
    keys[depth - 1] = parsed.get<std::string>();
    return !(depth == 3 && keys[0] == "linux" && keys[1] == "seccomp" && keys[2] == "syscalls");
  };
  return nlohmann::json::parse(text, keep);
}

}  // namespace

UniqueFd StateStore::create_locked(const std::string& id) const {
  validate_container_id(id);
  fs::mkdir_all(root_, 0711);
  std::string d = dir(id);
  if (::mkdir(d.c_str(), 0711) < 0) {
    if (errno == EEXIST) throw Error("container with id exists: " + id, EEXIST);
    throw sys_error("mkdir " + d);
  }
  return lock_dir(d);
}

UniqueFd StateStore::lock(const std::string& id) const {
  validate_container_id(id);
  return lock_dir(dir(id));
}

bool StateStore::exists(const std::string& id) const {
  return fs::exists(dir(id) + "/state.json");
}

void StateStore::save(const ContainerRecord& r) const {
  // No fsync: the store lives on tmpfs (/run) and is meaningless after a reboot, as runc's is.
  fs::write_file_atomic(dir(r.id) + "/state.json", to_json(r).dump());
}

void StateStore::save_config(const std::string& id, const std::string& text) const {
  fs::write_file_atomic(dir(id) + "/config.json", text);
}

nlohmann::json StateStore::load_config(const std::string& id, ConfigDetail detail) const {
  std::string path = dir(id) + "/config.json";
  auto text = fs::read_file_if_exists(path);
  try {
    if (text && detail == ConfigDetail::without_seccomp_rules) return parse_without_seccomp_rules(*text);
    if (text) return nlohmann::json::parse(*text);
    // A container created before the config moved to its own file keeps it inside state.json.
    if (auto state = fs::read_file_if_exists(dir(id) + "/state.json")) {
      auto j = nlohmann::json::parse(*state);
      if (auto c = j.find("config"); c != j.end() && c->is_object()) return *c;
    }
  } catch (const nlohmann::json::exception& e) {
    throw Error("read the config of " + id + ": " + e.what());
  }
  throw Error("state of " + id + ": " + path + " is missing", ENOENT);
}

ContainerRecord StateStore::load(const std::string& id) const {
  validate_container_id(id);
  auto text = fs::read_file_if_exists(dir(id) + "/state.json");
  if (!text) throw Error("container does not exist", ENOENT);
  try {
    return record_from_json(nlohmann::json::parse(*text));
  } catch (const nlohmann::json::exception& e) {
    throw Error("read state of " + id + ": " + e.what());
  }
}

void StateStore::remove(const std::string& id) const {
  std::string d = dir(id);
  UniqueFd fd(::open(d.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd) {
    if (errno == ENOENT) return;
    throw sys_error("open " + d);
  }
  remove_tree(fd.get(), d);
  if (::rmdir(d.c_str()) < 0 && errno != ENOENT) throw sys_error("remove " + d);
}

std::vector<std::string> StateStore::list() const {
  std::vector<std::string> ids;
  DIR* d = ::opendir(root_.c_str());
  if (!d) {
    if (errno == ENOENT) return ids;
    throw sys_error("open " + root_);
  }
  while (dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name.empty() || name[0] == '.') continue;
    if (fs::exists(dir(name) + "/state.json")) ids.push_back(name);
  }
  ::closedir(d);
  std::sort(ids.begin(), ids.end());
  return ids;
}

}  // namespace agentrt::runtime
