#include "runtime/rootfs.hpp"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>

#include "oci/support/error.hpp"
#include "oci/support/fs.hpp"
#include "oci/support/unique_fd.hpp"
#include "runtime/devices.hpp"
#include "runtime/mount_exec.hpp"
#include "runtime/mount_options.hpp"
#include "runtime/mount_plan.hpp"
#include "runtime/safe_path.hpp"

namespace agentrt::runtime {
namespace {

unsigned long spec_rootfs_propagation(const oci::Spec& spec) {
  return rootfs_propagation_flags(spec.linux ? spec.linux->rootfs_propagation : "");
}

std::string real_rootfs(const std::string& rootfs) {
  if (rootfs.empty() || rootfs[0] != '/') throw Error("rootfs " + rootfs + ": not an absolute path");
  char buf[PATH_MAX];
  if (!realpath(rootfs.c_str(), buf)) throw sys_error("rootfs " + rootfs);
  struct stat st {};
  if (stat(buf, &st) < 0) throw sys_error("rootfs " + rootfs);
  if (!S_ISDIR(st.st_mode)) throw Error("rootfs " + rootfs + ": not a directory");
  return buf;
}

// The mount that holds `path` (the longest mountpoint that is an ancestor of it, or itself).
const MountInfo* mount_of(const std::vector<MountInfo>& mounts, const std::string& path) {
  const MountInfo* best = nullptr;
  for (const auto& m : mounts) {
    const auto& mp = m.mountpoint;
    bool ancestor = mp == "/" || path == mp || path.compare(0, mp.size() + 1, mp + "/") == 0;
    if (ancestor && (!best || mp.size() >= best->mountpoint.size())) best = &m;
  }
  return best;
}

// A bind of the rootfs onto itself under a shared parent would propagate to the parent's peers (possibly the
// host), and pivot_root refuses a shared parent: make that parent private.
void make_parent_mount_private(const std::string& rootfs) {
  auto mounts = parse_mountinfo(fs::read_file("/proc/self/mountinfo"));
  const MountInfo* parent = mount_of(mounts, rootfs);
  if (!parent || parent->optional_fields.find("shared:") == std::string::npos) return;
  if (mount("", parent->mountpoint.c_str(), nullptr, MS_PRIVATE, nullptr) < 0)
    throw sys_error("make " + parent->mountpoint + " (parent mount of the rootfs) private");
}

CgroupFacts gather_cgroup_facts(const oci::Spec& spec) {
  CgroupFacts facts;
  facts.cgroup_ns = spec.linux && spec.linux->has_namespace(oci::NamespaceType::cgroup);
  struct statfs st {};
  if (statfs("/sys/fs/cgroup", &st) < 0) throw sys_error("statfs /sys/fs/cgroup");
  facts.unified = st.f_type == CGROUP2_SUPER_MAGIC;
  if (!facts.unified)
    facts.v1 = cgroup_v1_hierarchies(parse_mountinfo(fs::read_file("/proc/self/mountinfo")),
                                     parse_proc_cgroup(fs::read_file("/proc/self/cgroup")));
  return facts;
}

std::vector<oci::Mount> with_absolute_bind_sources(std::vector<oci::Mount> mounts,
                                                   const std::string& bundle) {
  for (auto& m : mounts) {
    bool bind = m.type == "bind";
    for (const auto& o : m.options) bind = bind || o == "bind" || o == "rbind";
    if (bind && !m.source.empty() && m.source[0] != '/' && !bundle.empty())
      m.source = fs::join(bundle, m.source);
  }
  return mounts;
}

bool dev_is_readonly(const oci::Spec& spec) {
  for (const auto& m : spec.mounts)
    if (clean_path(m.destination) == "/dev") return parse_mount_options(m.options).flags & MS_RDONLY;
  return false;
}

void pivot_into_cwd() {
  UniqueFd old_root(open("/", O_DIRECTORY | O_PATH | O_CLOEXEC));
  if (!old_root) throw sys_error("open /");
  if (syscall(SYS_pivot_root, ".", ".") < 0) throw sys_error("pivot_root");
  // The old root is now stacked on top of the new one; detach it without propagating the unmount anywhere.
  if (fchdir(old_root.get()) < 0) throw sys_error("fchdir to the old root");
  if (mount("", ".", nullptr, MS_SLAVE | MS_REC, nullptr) < 0) throw sys_error("make the old root rslave");
  if (umount2(".", MNT_DETACH) < 0) throw sys_error("detach the old root");
  if (chdir("/") < 0) throw sys_error("chdir /");
}

// Detaches the host's procfs and sysfs mounts from the container's mount namespace (see
// proc_sys_mounts_outside); where that is not allowed, covers them with an empty tmpfs.
void detach_host_proc_and_sys(const std::string& rootfs) {
  for (const auto& path :
       proc_sys_mounts_outside(parse_mountinfo(fs::read_file("/proc/self/mountinfo")), rootfs)) {
    if (mount("", path.c_str(), nullptr, MS_SLAVE | MS_REC, nullptr) < 0) {
      if (errno == ENOENT || errno == EINVAL) continue;  // gone with a parent detached before it
      throw sys_error("make host mount " + path + " rslave");
    }
    if (umount2(path.c_str(), MNT_DETACH) == 0) continue;
    if (errno != EPERM && errno != EINVAL) throw sys_error("detach host mount " + path);
    if (mount("tmpfs", path.c_str(), "tmpfs", 0, nullptr) < 0) throw sys_error("cover host mount " + path);
  }
}

void move_into_cwd() {
  char cwd[PATH_MAX];
  if (!getcwd(cwd, sizeof cwd)) throw sys_error("getcwd");
  detach_host_proc_and_sys(cwd);
  if (mount(".", "/", nullptr, MS_MOVE, nullptr) < 0) throw sys_error("move the rootfs to /");
  if (chroot(".") < 0) throw sys_error("chroot into the rootfs");
  if (chdir("/") < 0) throw sys_error("chdir /");
}

// The caller's mount table stays as it is (no pivot, no move over its /): only the process's root changes.
void chroot_into_cwd() {
  if (chroot(".") < 0) throw sys_error("chroot into the rootfs");
  if (chdir("/") < 0) throw sys_error("chdir /");
}

// stdio still open on the host's /dev/null would let the container reach the host's /dev: reopen it.
void reopen_dev_null() {
  UniqueFd null(open("/dev/null", O_RDWR | O_CLOEXEC));
  if (!null) return;
  struct stat ns {};
  if (fstat(null.get(), &ns) < 0 || !S_ISCHR(ns.st_mode)) return;
  for (int fd = 0; fd < 3; ++fd) {
    struct stat st {};
    if (fstat(fd, &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == ns.st_rdev && st.st_dev != ns.st_dev)
      if (dup3(null.get(), fd, 0) < 0) throw sys_error("reopen /dev/null on fd " + std::to_string(fd));
  }
}

void remount_readonly(const std::string& path) {
  unsigned long flags = MS_BIND | MS_REMOUNT | MS_RDONLY;
  if (mount("", path.c_str(), nullptr, flags, nullptr) == 0) return;
  if (errno != EPERM) throw sys_error("remount " + path + " read-only");
  if (mount("", path.c_str(), nullptr, flags | locked_mount_flags(path), nullptr) < 0)
    throw sys_error("remount " + path + " read-only");
}

void make_path_readonly(const std::string& path) {
  if (mount(path.c_str(), path.c_str(), nullptr, MS_BIND | MS_REC, nullptr) < 0) {
    if (errno == ENOENT) return;
    throw sys_error("bind mount readonly path " + path);
  }
  unsigned long keep = locked_mount_flags(path) & ~MS_RDONLY;
  if (mount("", path.c_str(), nullptr, MS_BIND | MS_REMOUNT | MS_RDONLY | keep, nullptr) < 0)
    throw sys_error("remount readonly path " + path + " read-only");
}

void mask_path(const std::string& path) {
  if (mount("/dev/null", path.c_str(), nullptr, MS_BIND, nullptr) == 0 || errno == ENOENT) return;
  if (errno != ENOTDIR) throw sys_error("mask path " + path);
  if (mount("tmpfs", path.c_str(), "tmpfs", MS_RDONLY, nullptr) < 0)
    throw sys_error("mask directory " + path);
}

}  // namespace

void prepare_rootfs(const oci::Spec& spec, const std::string& rootfs_arg, const RootfsOptions& opts) {
  const std::string rootfs = real_rootfs(rootfs_arg);
  const unsigned long propagation = spec_rootfs_propagation(spec);
  if (opts.no_pivot && (propagation & MS_PRIVATE))
    throw Error("rootfsPropagation of [r]private is not safe without pivot_root");

  if (!opts.shared_mount_ns) {
    const unsigned long root_flags = propagation ? propagation : MS_SLAVE | MS_REC;
    if (mount("", "/", nullptr, root_flags, nullptr) < 0)
      throw sys_error("make / " + propagation_name(root_flags));
    make_parent_mount_private(rootfs);
  }
  if (mount(rootfs.c_str(), rootfs.c_str(), nullptr, MS_BIND | MS_REC, nullptr) < 0)
    throw sys_error("bind mount rootfs " + rootfs + " onto itself");
  if (opts.shared_mount_ns && mount("", rootfs.c_str(), nullptr, MS_PRIVATE | MS_REC, nullptr) < 0)
    throw sys_error("make the rootfs bind " + rootfs + " private");
  // Opened after the self-bind so that every mount below lands on the bind, not on what it covers.
  UniqueFd root(open(rootfs.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root) throw sys_error("open rootfs " + rootfs);

  bool has_cgroup_mount = false;
  for (const auto& m : spec.mounts) has_cgroup_mount = has_cgroup_mount || m.type == "cgroup";
  const CgroupFacts cgroups = has_cgroup_mount ? gather_cgroup_facts(spec) : CgroupFacts{};
  for (const auto& step : plan_mounts(with_absolute_bind_sources(spec.mounts, opts.bundle), cgroups))
    execute_mount_step(step, root.get(), rootfs);

  if (needs_dev_setup(spec)) {
    try {
      create_devices(root.get(), plan_devices(spec), opts.in_user_ns);
      create_dev_links(root.get(), plan_dev_symlinks(fs::exists("/proc/kcore")));
    } catch (const Error& e) {
      throw e.wrap("set up /dev (in rootfs " + rootfs + ")");
    }
  }
  if (chdir(rootfs.c_str()) < 0) throw sys_error("chdir " + rootfs);
}

void finalize_rootfs(const oci::Spec& spec, const RootfsOptions& opts) {
  if (!opts.rootfs.empty() && chdir(opts.rootfs.c_str()) < 0) throw sys_error("chdir " + opts.rootfs);
  if (opts.shared_mount_ns)
    chroot_into_cwd();
  else if (opts.no_pivot)
    move_into_cwd();
  else
    pivot_into_cwd();
  reopen_dev_null();
  if (opts.after_pivot) opts.after_pivot();

  if (spec.linux) {
    for (const auto& p : spec.linux->readonly_paths) make_path_readonly(p);
    for (const auto& p : spec.linux->masked_paths) mask_path(p);
  }
  if (spec.root.readonly) remount_readonly("/");
  if (dev_is_readonly(spec)) remount_readonly("/dev");
  // On / itself only: the recursive part was applied before the mounts were made (prepare_rootfs), and
  // re-applying it here would override a mount's own propagation option (a bind with "rshared").
  if (unsigned long propagation = spec_rootfs_propagation(spec) & ~static_cast<unsigned long>(MS_REC))
    if (mount("", "/", nullptr, propagation, nullptr) < 0)
      throw sys_error("make / " + propagation_name(propagation));
}

}  // namespace agentrt::runtime
