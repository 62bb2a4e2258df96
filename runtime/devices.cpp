#include "runtime/devices.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <optional>

#include "oci/support/error.hpp"
#include "runtime/safe_path.hpp"

namespace agentrt::runtime {
namespace {

// Restores the process umask on scope exit; device modes must not be masked.
class ScopedUmask {
 public:
  explicit ScopedUmask(mode_t m) : old_(umask(m)) {}
  ~ScopedUmask() { umask(old_); }
  ScopedUmask(const ScopedUmask&) = delete;
  ScopedUmask& operator=(const ScopedUmask&) = delete;

 private:
  mode_t old_;
};

void bind_host_node(int root_fd, const DeviceNode& node) {
  UniqueFd target = ensure_file_in_root(root_fd, node.path, 0);
  if (mount(node.path.c_str(), fd_path(target.get()).c_str(), nullptr, MS_BIND, nullptr) < 0)
    throw sys_error("bind mount host device " + node.path);
}

void create_device(int root_fd, const DeviceNode& node, bool bind) {
  std::string path = clean_path(node.path);
  if (path == "/") throw Error("device path " + node.path + " is not a file path");
  if (bind) return bind_host_node(root_fd, node);
  UniqueFd dir = mkdir_all_in_root(root_fd, parent_path(path));
  std::string base = base_name(path);
  dev_t dev = makedev(static_cast<unsigned>(node.major), static_cast<unsigned>(node.minor));
  if (mknodat(dir.get(), base.c_str(), mknod_mode(node), node.type == 'p' ? 0 : dev) < 0) {
    if (errno == EEXIST) return;  // runc keeps what the rootfs already has
    if (errno == EPERM) return bind_host_node(root_fd, node);
    throw sys_error("mknod " + path);
  }
  if (fchownat(dir.get(), base.c_str(), node.uid, node.gid, AT_SYMLINK_NOFOLLOW) < 0)
    throw sys_error("chown " + path);
}

}  // namespace

bool needs_dev_setup(const oci::Spec& spec) {
  for (const auto& m : spec.mounts) {
    if (clean_path(m.destination) != "/dev") continue;
    if (m.type == "bind") return false;
    for (const auto& o : m.options)
      if (o == "bind" || o == "rbind") return false;
  }
  return true;
}

std::vector<DeviceNode> plan_devices(const oci::Spec& spec) {
  std::vector<DeviceNode> out = {
      {"/dev/null", 'c', 1, 3, 0666, 0, 0},    {"/dev/zero", 'c', 1, 5, 0666, 0, 0},
      {"/dev/full", 'c', 1, 7, 0666, 0, 0},    {"/dev/random", 'c', 1, 8, 0666, 0, 0},
      {"/dev/urandom", 'c', 1, 9, 0666, 0, 0}, {"/dev/tty", 'c', 5, 0, 0666, 0, 0},
  };
  if (!spec.linux) return out;
  for (const auto& d : spec.linux->devices) {
    DeviceNode n{clean_path(d.path), d.type, d.major, d.minor, 0666, d.uid.value_or(0), d.gid.value_or(0)};
    if (d.file_mode) n.mode = *d.file_mode & 07777;
    bool replaced = false;
    for (auto& existing : out) {
      if (existing.path != n.path) continue;
      existing = n;
      replaced = true;
    }
    if (!replaced) out.push_back(n);
  }
  return out;
}

std::vector<DevSymlink> plan_dev_symlinks(bool have_kcore) {
  std::vector<DevSymlink> out = {
      {"/proc/self/fd", "/dev/fd"},
      {"/proc/self/fd/0", "/dev/stdin"},
      {"/proc/self/fd/1", "/dev/stdout"},
      {"/proc/self/fd/2", "/dev/stderr"},
  };
  if (have_kcore) out.push_back({"/proc/kcore", "/dev/core"});
  return out;
}

std::vector<oci::DeviceCgroupRule> default_device_rules() {
  auto rule = [](const char* type, std::optional<int64_t> major, std::optional<int64_t> minor,
                 const char* access) {
    return oci::DeviceCgroupRule{true, type, major, minor, access};
  };
  return {
      rule("c", std::nullopt, std::nullopt, "m"),  // mknod of any device; using it still needs rw
      rule("b", std::nullopt, std::nullopt, "m"),
      rule("c", 1, 3, "rwm"),               // null
      rule("c", 1, 8, "rwm"),               // random
      rule("c", 1, 7, "rwm"),               // full
      rule("c", 5, 0, "rwm"),               // tty
      rule("c", 1, 5, "rwm"),               // zero
      rule("c", 1, 9, "rwm"),               // urandom
      rule("c", 136, std::nullopt, "rwm"),  // /dev/pts/*
      rule("c", 5, 2, "rwm"),               // /dev/ptmx
      rule("c", 10, 200, "rwm"),            // /dev/net/tun
  };
}

unsigned mknod_mode(const DeviceNode& node) {
  switch (node.type) {
    case 'c':
    case 'u':
      return S_IFCHR | node.mode;
    case 'b':
      return S_IFBLK | node.mode;
    case 'p':
      return S_IFIFO | node.mode;
  }
  throw Error("device " + node.path + ": unknown type '" + std::string(1, node.type) + "'");
}

void create_devices(int root_fd, const std::vector<DeviceNode>& nodes, bool bind) {
  ScopedUmask no_mask(0);
  for (const auto& n : nodes) {
    try {
      create_device(root_fd, n, bind);
    } catch (const Error& e) {
      throw e.wrap("create device " + n.path);
    }
  }
}

void create_dev_links(int root_fd, const std::vector<DevSymlink>& links) {
  UniqueFd dev = mkdir_all_in_root(root_fd, "/dev");
  if (unlinkat(dev.get(), "ptmx", 0) < 0 && errno != ENOENT) throw sys_error("remove /dev/ptmx");
  if (symlinkat("pts/ptmx", dev.get(), "ptmx") < 0) throw sys_error("symlink /dev/ptmx -> pts/ptmx");
  for (const auto& l : links) {
    std::string path = clean_path(l.link);
    UniqueFd dir = mkdir_all_in_root(root_fd, parent_path(path));
    if (symlinkat(l.target.c_str(), dir.get(), base_name(path).c_str()) < 0 && errno != EEXIST)
      throw sys_error("symlink " + path + " -> " + l.target);
  }
}

}  // namespace agentrt::runtime
