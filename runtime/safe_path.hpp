#pragma once
// Paths inside a container rootfs, resolved by the kernel as if the rootfs were "/" (openat2
// RESOLVE_IN_ROOT): a symlink in the rootfs pointing at /etc reaches <rootfs>/etc, never the host's /etc, and
// ".." stops at the rootfs. Callers act on the returned O_PATH fd through /proc/self/fd/N, so a symlink
// swapped in after the lookup cannot redirect them (the idea behind runc's securejoin).
#include <string>

#include "oci/support/unique_fd.hpp"

namespace agentrt::runtime {

// Lexical clean of a container path: "a//b/./c/../d" -> "/a/b/d"; always absolute, ".." stops at "/".
// For comparisons only (is it /dev? under /proc?); resolution uses the kernel.
std::string clean_path(const std::string& path);
// "/a/b/c" -> "/a/b"; "/a" -> "/".
std::string parent_path(const std::string& clean);
// "/a/b/c" -> "c"; "/" -> "".
std::string base_name(const std::string& clean);

// openat2(root_fd, path, flags | O_CLOEXEC, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS). Returns the fd or
// -errno.
int try_open_in_root(int root_fd, const std::string& path, int flags);
// As above; throws "open <path>: <errno text>".
UniqueFd open_in_root(int root_fd, const std::string& path, int flags);

// Creates every missing directory of `path` inside the root (mode before umask) and returns an O_PATH fd of
// it. A dangling symlink on the way is refused rather than followed.
UniqueFd mkdir_all_in_root(int root_fd, const std::string& path, unsigned mode = 0755);
// Makes sure `path` exists, creating an empty regular file (and missing parents) if it does not. Returns an
// O_PATH fd of whatever is there (directories included: callers check).
UniqueFd ensure_file_in_root(int root_fd, const std::string& path, unsigned mode = 0644);

// "/proc/self/fd/<fd>": a path mount(2) and friends accept that denotes exactly the open file.
std::string fd_path(int fd);
// What the kernel calls the open file (readlink of fd_path), e.g. "/run/x/rootfs/etc".
std::string fd_real_path(int fd);

// Container path of an fd opened inside `rootfs` (an absolute host path without symlinks), e.g. "/etc";
// throws if the fd is not inside rootfs.
std::string container_path_of(int fd, const std::string& rootfs);

}  // namespace agentrt::runtime
