#include "workspace/upper_scan.hpp"

#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <climits>

#include "oci/support/error.hpp"

namespace agentrt::workspace {

std::vector<UpperEntry> scan_upper(const std::string& upper) {
  std::vector<UpperEntry> out;
  for (const auto& [rel, facts] : scan_tree(upper)) {
    std::string path = rel.empty() ? upper : upper + "/" + rel;
    struct stat st {};
    if (::lstat(path.c_str(), &st) < 0) throw sys_error("stat " + path);
    UpperEntry e;
    e.path = rel;
    e.facts = facts;
    e.nlink = st.st_nlink;
    e.whiteout = S_ISCHR(st.st_mode) && major(st.st_rdev) == 0 && minor(st.st_rdev) == 0;
    if (S_ISDIR(st.st_mode)) {
      char value[8];
      ssize_t n = ::lgetxattr(path.c_str(), "trusted.overlay.opaque", value, sizeof value);
      if (n < 0 && errno != ENODATA && errno != ENOTSUP)
        throw sys_error("read trusted.overlay.opaque of " + path);
      e.opaque = n == 1 && value[0] == 'y';
    }
    if (S_ISLNK(st.st_mode)) {
      char target[PATH_MAX];
      ssize_t n = ::readlink(path.c_str(), target, sizeof target);
      if (n < 0) throw sys_error("readlink " + path);
      e.link_target.assign(target, n);
    }
    out.push_back(e);
  }
  return out;
}

}  // namespace agentrt::workspace
