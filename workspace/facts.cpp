#include "workspace/facts.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <memory>

#include "oci/support/error.hpp"
#include "oci/support/unique_fd.hpp"

namespace agentrt::workspace {
namespace {

Kind kind_of(mode_t mode) {
  if (S_ISREG(mode)) return Kind::file;
  if (S_ISDIR(mode)) return Kind::dir;
  if (S_ISLNK(mode)) return Kind::symlink;
  return Kind::other;
}

Kind kind_from_string(const std::string& s) {
  if (s == "file") return Kind::file;
  if (s == "dir") return Kind::dir;
  if (s == "symlink") return Kind::symlink;
  return Kind::other;
}

void scan_dir(int dir_fd, const std::string& rel, const std::string& shown, Tree& out) {
  for (const auto& name : dir_entries(dir_fd, rel.empty() ? shown : shown + "/" + rel)) {
    std::string child = rel.empty() ? name : rel + "/" + name;
    struct stat st {};
    if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0)
      throw sys_error("stat " + shown + "/" + child);
    out[child] = facts_from_stat(st);
    if (!S_ISDIR(st.st_mode)) continue;
    UniqueFd sub(::openat(dir_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!sub) throw sys_error("open directory " + shown + "/" + child);
    scan_dir(sub.get(), child, shown, out);
  }
}

}  // namespace

std::vector<std::string> dir_entries(int dir_fd, const std::string& shown) {
  int fd = ::dup(dir_fd);  // closedir closes the fd it reads: give it its own
  if (fd < 0) throw sys_error("dup directory fd of " + shown);
  std::unique_ptr<DIR, int (*)(DIR*)> d(::fdopendir(fd), ::closedir);
  if (!d) {
    ::close(fd);
    throw sys_error("open directory " + shown);
  }
  std::vector<std::string> names;
  while (dirent* e = ::readdir(d.get())) {
    std::string n = e->d_name;
    if (n != "." && n != "..") names.push_back(n);
  }
  return names;
}

const char* to_string(Kind k) {
  switch (k) {
    case Kind::file:
      return "file";
    case Kind::dir:
      return "dir";
    case Kind::symlink:
      return "symlink";
    case Kind::other:
      return "other";
  }
  return "other";
}

FileFacts facts_from_stat(const struct stat& st) {
  FileFacts f;
  f.kind = kind_of(st.st_mode);
  f.mode = st.st_mode & 07777;
  f.uid = st.st_uid;
  f.gid = st.st_gid;
  f.size = f.kind == Kind::dir ? 0 : static_cast<uint64_t>(st.st_size);
  f.ino = st.st_ino;
  // A directory's mtime changes with every entry made in it: it says nothing about the directory itself.
  f.mtime_ns = f.kind == Kind::dir ? 0 : int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  return f;
}

std::optional<FileFacts> lstat_facts(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0) return facts_from_stat(st);
  if (errno == ENOENT || errno == ENOTDIR) return std::nullopt;
  throw sys_error("stat " + path);
}

Tree scan_tree(const std::string& root) {
  Tree out;
  UniqueFd fd(::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd) throw sys_error("open directory " + root);
  struct stat st {};
  if (::fstat(fd.get(), &st) < 0) throw sys_error("stat " + root);
  out[""] = facts_from_stat(st);
  scan_dir(fd.get(), "", root, out);
  return out;
}

nlohmann::json to_json(const FileFacts& f) {
  return {{"kind", to_string(f.kind)},
          {"mode", f.mode},
          {"uid", f.uid},
          {"gid", f.gid},
          {"size", f.size},
          {"ino", f.ino},
          {"mtime_ns", f.mtime_ns}};
}

FileFacts facts_from_json(const nlohmann::json& j) {
  FileFacts f;
  f.kind = kind_from_string(j.at("kind").get<std::string>());
  f.mode = j.at("mode").get<unsigned>();
  f.uid = j.at("uid").get<uid_t>();
  f.gid = j.at("gid").get<gid_t>();
  f.size = j.at("size").get<uint64_t>();
  f.ino = j.at("ino").get<uint64_t>();
  f.mtime_ns = j.at("mtime_ns").get<int64_t>();
  return f;
}

nlohmann::json tree_to_json(const Tree& t) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [path, f] : t) j[path] = to_json(f);
  return j;
}

Tree tree_from_json(const nlohmann::json& j) {
  Tree t;
  for (auto it = j.begin(); it != j.end(); ++it) t[it.key()] = facts_from_json(it.value());
  return t;
}

bool is_under(const std::string& path, const std::string& dir) {
  if (dir.empty() || path == dir) return true;
  return path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 && path[dir.size()] == '/';
}

}  // namespace agentrt::workspace
