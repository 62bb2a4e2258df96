#pragma once
// What the workspace remembers about a host file to tell later whether someone else changed it: kind,
// owner, mode, size, inode and mtime (not ctime: the commit's own rename changes it).
#include <sys/stat.h>
#include <sys/types.h>

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace agentrt::workspace {

enum class Kind { file, dir, symlink, other };
const char* to_string(Kind k);

struct FileFacts {
  Kind kind = Kind::file;
  unsigned mode = 0;  // permission bits (07777)
  uid_t uid = 0;
  gid_t gid = 0;
  uint64_t size = 0;
  uint64_t ino = 0;
  int64_t mtime_ns = 0;
  bool operator==(const FileFacts&) const = default;
};

// Relative path ("src/a.c", "" for the root) -> facts.
using Tree = std::map<std::string, FileFacts>;

FileFacts facts_from_stat(const struct stat& st);
// lstat; nullopt when nothing is there (ENOENT, ENOTDIR); other errors throw naming the path.
std::optional<FileFacts> lstat_facts(const std::string& path);
// The names in an open directory, without "." and "..". `shown` names it in errors.
std::vector<std::string> dir_entries(int dir_fd, const std::string& shown);
// Every entry under root (not following symlinks), keyed by its path relative to root.
Tree scan_tree(const std::string& root);

nlohmann::json to_json(const FileFacts& f);
FileFacts facts_from_json(const nlohmann::json& j);
nlohmann::json tree_to_json(const Tree& t);
Tree tree_from_json(const nlohmann::json& j);

// "a/b" under "a": true; "ab" under "a": false; everything is under "".
bool is_under(const std::string& path, const std::string& dir);

}  // namespace agentrt::workspace
