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

const char* to_string(Phase p) {
  switch (p) {
    case Phase::creating:
      return "creating";
    case Phase::deleting:
      return "deleting";
    case Phase::created:
      break;
  }
  return "created";
}

nlohmann::json to_json(const ContainerRecord& r) {
  return {{"id", r.id},
          {"phase", to_string(r.phase)},
          {"runtime_pid", r.runtime_pid},
          {"runtime_start_time", r.runtime_start_time},
          {"pid_ns", r.pid_ns},
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
          {"systemd_cgroup", r.systemd_cgroup},
          {"shared_mount_ns", r.shared_mount_ns}};
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
  std::string phase = j.value("phase", "created");
  r.phase = phase == "creating" ? Phase::creating : phase == "deleting" ? Phase::deleting : Phase::created;
  r.runtime_pid = j.value("runtime_pid", 0);
  r.runtime_start_time = j.value("runtime_start_time", 0ULL);
  r.pid_ns = j.value("pid_ns", uint64_t{0});
  r.shared_mount_ns = j.value("shared_mount_ns", nlohmann::json());
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
  for (int attempt = 0; attempt < 3; ++attempt) {
    if (::mkdir(d.c_str(), 0711) < 0) {
      if (errno == EEXIST) throw Error("container with id exists: " + id, EEXIST);
      throw sys_error("mkdir " + d);
    }
    UniqueFd fd;
    try {
      fd = lock_dir(d);
    } catch (const Error& e) {
      if (e.error_number() == ENOENT) continue;  // removed as a leftover before we locked it
      throw;
    }
    // Between our mkdir and lock, a cleaner may have removed the directory as a leftover (it holds no
    // state yet), or removed it and another create made and claimed its own.
    struct stat st;
    if (::fstat(fd.get(), &st) == 0 && st.st_nlink == 0) continue;
    if (exists(id)) throw Error("container with id exists: " + id, EEXIST);
    return fd;
  }
  throw Error("container with id exists: " + id, EEXIST);
}

UniqueFd StateStore::try_lock(const std::string& id) const {
  validate_container_id(id);
  std::string d = dir(id);
  UniqueFd fd(::open(d.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd) {
    if (errno == ENOENT) return UniqueFd();
    throw sys_error("open " + d);
  }
  if (::flock(fd.get(), LOCK_EX | LOCK_NB) < 0) {
    if (errno == EWOULDBLOCK) return UniqueFd();
    throw sys_error("lock " + d);
  }
  return fd;
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
