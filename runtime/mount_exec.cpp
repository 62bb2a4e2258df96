#include "runtime/mount_exec.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <memory>

#include "oci/support/error.hpp"
#include "runtime/safe_path.hpp"

namespace agentrt::runtime {
namespace {

const char* opt_str(const std::string& s) {
  return s.empty() ? nullptr : s.c_str();
}

bool is_procfs(const std::string& path) {
  struct statfs st {};
  return statfs(path.c_str(), &st) == 0 && st.f_type == PROC_SUPER_MAGIC;
}

UniqueFd open_target(const MountStep& s, int root_fd) {
  switch (s.create) {
    case CreateKind::none:
      return open_in_root(root_fd, s.destination, O_PATH);
    case CreateKind::dir:
      return mkdir_all_in_root(root_fd, s.destination);
    case CreateKind::file:
      return ensure_file_in_root(root_fd, s.destination);
    case CreateKind::like_source: {
      struct stat st {};
      if (stat(s.source.c_str(), &st) < 0) throw sys_error("stat " + s.source);
      return S_ISDIR(st.st_mode) ? mkdir_all_in_root(root_fd, s.destination)
                                 : ensure_file_in_root(root_fd, s.destination);
    }
  }
  throw Error("unknown create kind");
}

void copy_tree(int src_dir, int dst_dir, const std::string& where);

void copy_entry(int src_dir, int dst_dir, const char* name, const std::string& where) {
  struct stat st {};
  if (fstatat(src_dir, name, &st, AT_SYMLINK_NOFOLLOW) < 0) throw sys_error("stat " + where);
  if (S_ISDIR(st.st_mode)) {
    if (mkdirat(dst_dir, name, st.st_mode & 07777) < 0 && errno != EEXIST) throw sys_error("mkdir " + where);
    UniqueFd from(openat(src_dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    UniqueFd to(openat(dst_dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!from || !to) throw sys_error("open " + where);
    copy_tree(from.get(), to.get(), where);
  } else if (S_ISREG(st.st_mode)) {
    UniqueFd from(openat(src_dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    UniqueFd to(
        openat(dst_dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, st.st_mode & 07777));
    if (!from || !to) throw sys_error("open " + where);
    char buf[65536];
    for (;;) {
      ssize_t n = read(from.get(), buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw sys_error("read " + where);
      if (n == 0) break;
      for (ssize_t off = 0; off < n;) {
        ssize_t w = write(to.get(), buf + off, static_cast<size_t>(n - off));
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) throw sys_error("write " + where);
        off += w;
      }
    }
  } else if (S_ISLNK(st.st_mode)) {
    std::string target(4096, '\0');
    ssize_t n = readlinkat(src_dir, name, target.data(), target.size());
    if (n < 0) throw sys_error("readlink " + where);
    target.resize(static_cast<size_t>(n));
    if (symlinkat(target.c_str(), dst_dir, name) < 0) throw sys_error("symlink " + where);
  } else if (mknodat(dst_dir, name, st.st_mode, st.st_rdev) < 0) {
    throw sys_error("mknod " + where);
  }
  if (fchownat(dst_dir, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0)
    throw sys_error("chown " + where);
  if (!S_ISLNK(st.st_mode) && fchmodat(dst_dir, name, st.st_mode & 07777, 0) < 0)
    throw sys_error("chmod " + where);
}

// Copies the content of one directory into another (files, directories, symlinks, special files; owners and
// modes kept).
void copy_tree(int src_dir, int dst_dir, const std::string& where) {
  int dup_fd = openat(src_dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dup_fd < 0) throw sys_error("open " + where);
  DIR* d = fdopendir(dup_fd);
  if (!d) {
    close(dup_fd);
    throw sys_error("opendir " + where);
  }
  std::unique_ptr<DIR, int (*)(DIR*)> guard(d, closedir);
  while (struct dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    copy_entry(src_dir, dst_dir, e->d_name, where + "/" + name);
  }
}

// What lstat finds at the destination's last component inside the root (0: nothing there).
unsigned mode_in_root_nofollow(int root_fd, const std::string& destination) {
  std::string dest = clean_path(destination);
  int parent = try_open_in_root(root_fd, parent_path(dest), O_PATH | O_DIRECTORY);
  if (parent < 0) return 0;
  UniqueFd guard(parent);
  struct stat st {};
  if (fstatat(parent, base_name(dest).c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) return 0;
  return st.st_mode;
}

int do_mount(const MountStep& s, int root_fd, const std::string& rootfs) {
  if (std::string why =
          check_special_fs_target(s.fstype, s.destination, mode_in_root_nofollow(root_fd, s.destination));
      !why.empty())
    throw Error(why);
  bool existed = false;
  if (int fd = try_open_in_root(root_fd, s.destination, O_PATH); fd >= 0) {
    existed = true;
    close(fd);
  }
  UniqueFd target = open_target(s, root_fd);
  bool bind = s.flags & MS_BIND;
  std::string why = check_proc_destination(container_path_of(target.get(), rootfs),
                                           s.fstype == "proc" || (bind && is_procfs(s.source)));
  if (!why.empty()) throw Error(why);

  std::string data = s.data;
  struct stat st {};
  if (s.keep_dir_mode && existed && fstat(target.get(), &st) == 0 && S_ISDIR(st.st_mode)) {
    char mode[32];
    snprintf(mode, sizeof mode, "mode=%04o", st.st_mode & 07777);
    data = data.empty() ? mode : std::string(mode) + "," + data;
  }
  std::string path = fd_path(target.get());
  if (mount(s.source.c_str(), path.c_str(), opt_str(s.fstype), s.flags, opt_str(data)) < 0) {
    int err = errno;
    if (s.fallback_bind.empty() || (err != EPERM && err != EBUSY)) return err;
    if (mount(s.fallback_bind.c_str(), path.c_str(), nullptr, MS_BIND | MS_REC, nullptr) < 0) return errno;
    if (unsigned long extra = s.flags & ~(MS_BIND | MS_REC | MS_REMOUNT)) {
      UniqueFd top = open_in_root(root_fd, s.destination, O_PATH);
      std::string top_path = fd_path(top.get());
      if (mount("", top_path.c_str(), nullptr, MS_BIND | MS_REMOUNT | extra, nullptr) < 0) return errno;
    }
  }
  if (s.copy_up) {
    // `target` still names the directory under the new tmpfs: copy from it into the tmpfs.
    UniqueFd top = open_in_root(root_fd, s.destination, O_RDONLY | O_DIRECTORY);
    UniqueFd below(openat(target.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!below) throw sys_error("open " + s.destination);
    copy_tree(below.get(), top.get(), "tmpcopyup " + s.destination);
  }
  return 0;
}

int do_remount(const MountStep& s, int root_fd) {
  UniqueFd target = open_in_root(root_fd, s.destination, O_PATH);
  std::string path = fd_path(target.get());
  unsigned long flags = s.flags | MS_REMOUNT;
  if (mount("", path.c_str(), nullptr, flags, nullptr) == 0) return 0;
  if (errno != EPERM) return errno;
  // In a user namespace the flags the mount already has are locked: keep them and retry.
  unsigned long locked = locked_mount_flags(path);
  if (flags & (MS_NOATIME | MS_RELATIME | MS_STRICTATIME))
    locked &= ~(MS_NOATIME | MS_RELATIME | MS_STRICTATIME);
  flags |= locked;
  return mount("", path.c_str(), nullptr, flags, nullptr) == 0 ? 0 : errno;
}

int do_propagate(const MountStep& s, int root_fd) {
  UniqueFd target = open_in_root(root_fd, s.destination, O_PATH);
  return mount("", fd_path(target.get()).c_str(), nullptr, s.flags, nullptr) == 0 ? 0 : errno;
}

int do_setattr(const MountStep& s, int root_fd) {
  UniqueFd target = open_in_root(root_fd, s.destination, O_PATH);
  struct mount_attr attr {};
  attr.attr_set = s.attr_set;
  attr.attr_clr = s.attr_clr;
  return mount_setattr(target.get(), "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) == 0 ? 0 : errno;
}

int do_symlink(const MountStep& s, int root_fd) {
  std::string dest = clean_path(s.destination);
  UniqueFd dir = mkdir_all_in_root(root_fd, parent_path(dest));
  if (symlinkat(s.source.c_str(), dir.get(), base_name(dest).c_str()) < 0 && errno != EEXIST) return errno;
  return 0;
}

int run_step(const MountStep& s, int root_fd, const std::string& rootfs) {
  switch (s.op) {
    case MountStep::Op::mount:
      return do_mount(s, root_fd, rootfs);
    case MountStep::Op::remount:
      return do_remount(s, root_fd);
    case MountStep::Op::propagate:
      return do_propagate(s, root_fd);
    case MountStep::Op::setattr:
      return do_setattr(s, root_fd);
    case MountStep::Op::symlink:
      return do_symlink(s, root_fd);
  }
  return EINVAL;
}

}  // namespace

unsigned long locked_mount_flags(const std::string& path) {
  struct statvfs st {};
  if (statvfs(path.c_str(), &st) < 0) throw sys_error("statvfs " + path);
  static const std::pair<unsigned long, unsigned long> map[] = {
      {ST_RDONLY, MS_RDONLY},     {ST_NOSUID, MS_NOSUID},   {ST_NODEV, MS_NODEV},
      {ST_NOEXEC, MS_NOEXEC},     {ST_NOATIME, MS_NOATIME}, {ST_NODIRATIME, MS_NODIRATIME},
      {ST_RELATIME, MS_RELATIME},
  };
  unsigned long out = 0;
  for (const auto& [st_flag, ms_flag] : map)
    if (st.f_flag & st_flag) out |= ms_flag;
  // No atime flag means strictatime; saying nothing on remount would switch to relatime.
  if (!(out & (MS_NOATIME | MS_RELATIME))) out |= MS_STRICTATIME;
  return out;
}

void execute_mount_step(const MountStep& step, int root_fd, const std::string& rootfs) {
  const std::string context = describe(step) + " (in rootfs " + rootfs + ")";
  int err = 0;
  try {
    err = run_step(step, root_fd, rootfs);
  } catch (const Error& e) {
    throw e.wrap(context);
  }
  if (err) throw sys_error(context, err);
}

}  // namespace agentrt::runtime
