#include "workspace/store.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <nlohmann/json.hpp>

#include "oci/support/error.hpp"
#include "oci/support/fs.hpp"
#include "oci/support/unique_fd.hpp"

namespace agentrt::workspace {
namespace {

void remove_at(int dir_fd, const std::string& name, const std::string& shown) {
  if (::unlinkat(dir_fd, name.c_str(), 0) == 0 || errno == ENOENT) return;
  if (errno != EISDIR) throw sys_error("remove " + shown);
  UniqueFd sub(::openat(dir_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!sub) throw sys_error("open directory " + shown);
  std::vector<std::string> names = dir_entries(sub.get(), shown);
  for (const auto& n : names) remove_at(sub.get(), n, shown + "/" + n);
  if (::unlinkat(dir_fd, name.c_str(), AT_REMOVEDIR) < 0 && errno != ENOENT)
    throw sys_error("remove " + shown);
}

}  // namespace

void remove_tree(const std::string& path) {
  size_t slash = path.rfind('/');
  std::string parent = slash == 0 ? "/" : path.substr(0, slash);
  UniqueFd dir(::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir) {
    if (errno == ENOENT) return;
    throw sys_error("open directory " + parent);
  }
  remove_at(dir.get(), path.substr(slash + 1), path);
}

bool Store::exists(const std::string& id) const {
  return fs::exists(dir(id));
}

Record Store::load(const std::string& id) const {
  auto format = fs::read_file_if_exists(dir(id) + "/format");
  if (!format) throw Error("workspace " + id + ": no workspace in " + root_);
  if (fs::trim(*format) != kFormat)
    throw Error("workspace " + id + ": " + dir(id) + "/format says \"" + fs::trim(*format) +
                "\", this agentrt reads \"" + kFormat + "\"");
  Record r;
  try {
    auto j = nlohmann::json::parse(fs::read_file(dir(id) + "/workspace.json"));
    r.id = j.at("id").get<std::string>();
    r.created = j.value("created", "");
    r.state_root = j.value("stateRoot", "");
    for (const auto& m : j.at("mounts"))
      r.mounts.push_back({m.at("destination").get<std::string>(), m.at("source").get<std::string>(),
                          m.at("dir").get<std::string>()});
  } catch (const nlohmann::json::exception& e) {
    throw Error("workspace " + id + ": workspace.json: " + e.what());
  }
  return r;
}

void Store::save(const Record& r) const {
  fs::write_file_atomic(dir(r.id) + "/format", std::string(kFormat) + "\n", 0644);
  nlohmann::json mounts = nlohmann::json::array();
  for (const auto& m : r.mounts)
    mounts.push_back({{"destination", m.destination}, {"source", m.source}, {"dir", m.dir}});
  nlohmann::json j = {{"id", r.id}, {"created", r.created}, {"stateRoot", r.state_root}, {"mounts", mounts}};
  fs::write_file_atomic(dir(r.id) + "/workspace.json", j.dump(2) + "\n", 0644);
}

void Store::make_reserve(const std::string& id) const {
  if (!try_make_reserve(id))
    throw sys_error("set " + std::to_string(kReserveBytes) + " bytes aside in " + dir(id) + "/reserve",
                    ENOSPC);
}

bool Store::try_make_reserve(const std::string& id) const {
  const std::string path = dir(id) + "/reserve";
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
  if (!fd) {
    if (errno == ENOSPC) return false;
    throw sys_error("create " + path);
  }
  int err = ::posix_fallocate(fd.get(), 0, kReserveBytes);
  if (err == ENOSPC) {
    ::unlink(path.c_str());
    return false;
  }
  if (err) throw sys_error("allocate " + path, err);
  return true;
}

void Store::release_reserve(const std::string& id) const {
  const std::string path = dir(id) + "/reserve";
  if (::unlink(path.c_str()) < 0 && errno != ENOENT) throw sys_error("remove " + path);
}

std::vector<std::string> Store::list() const {
  std::vector<std::string> out;
  std::unique_ptr<DIR, int (*)(DIR*)> d(::opendir(root_.c_str()), ::closedir);
  if (!d) {
    if (errno == ENOENT) return out;
    throw sys_error("open workspace store " + root_);
  }
  while (dirent* e = ::readdir(d.get())) {
    std::string n = e->d_name;
    if (n != "." && n != ".." && fs::exists(dir(n) + "/format")) out.push_back(n);
  }
  std::sort(out.begin(), out.end());
  return out;
}

Tree Store::load_baseline(const std::string& id, const MountRecord& m) const {
  try {
    return tree_from_json(nlohmann::json::parse(fs::read_file(baseline_path(id, m))));
  } catch (const nlohmann::json::exception& e) {
    throw Error("workspace " + id + ": " + baseline_path(id, m) + ": " + e.what());
  }
}

void Store::save_baseline(const std::string& id, const MountRecord& m, const Tree& t) const {
  fs::write_file_atomic(baseline_path(id, m), tree_to_json(t).dump() + "\n", 0600);
}

void Store::remove(const std::string& id) const {
  remove_tree(dir(id));
}

}  // namespace agentrt::workspace
