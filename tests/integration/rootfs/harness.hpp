#pragma once
// Runs prepare_rootfs + finalize_rootfs in a child with new mount, pid and uts namespaces on a busybox
// rootfs, then a busybox shell script inside it; returns what the script printed.
#include <filesystem>
#include <optional>
#include <string>

#include "oci/spec.hpp"
#include "runtime/mount_plan.hpp"
#include "runtime/rootfs.hpp"

namespace rootfs_test {

// A temporary directory under /run holding rootfs/ with /bin/busybox and applet symlinks.
class BusyboxRootfs {
 public:
  BusyboxRootfs();
  ~BusyboxRootfs();
  BusyboxRootfs(const BusyboxRootfs&) = delete;
  BusyboxRootfs& operator=(const BusyboxRootfs&) = delete;

  const std::filesystem::path& dir() const { return dir_; }  // the temp directory
  std::filesystem::path rootfs() const { return dir_ / "rootfs"; }
  void write(const std::string& container_path, const std::string& content) const;

 private:
  std::filesystem::path dir_;
};

struct RunResult {
  int exit_code = -1;  // the script's exit code; 111 when the rootfs setup threw
  std::string output;  // stdout+stderr of the script, or "setup error: <message>"
};

// Also checks that the host's mount table is the same before and after. With user_ns the container also gets
// user (root = host uid/gid kUserNsBase, 65536 ids), network and ipc namespaces, and locked_tmpfs (if given)
// gets a nosuid,nodev,noexec tmpfs mounted before the user namespace exists, so those flags are locked in it.
RunResult run_in_container(const agentrt::oci::Spec& spec, const std::string& rootfs,
                           const agentrt::runtime::RootfsOptions& opts, const std::string& script,
                           bool user_ns = false, const std::string& locked_tmpfs = "");
inline constexpr unsigned kUserNsBase = 100000;
// chown -R (without following symlinks).
void chown_tree(const std::filesystem::path& dir, unsigned uid, unsigned gid);

// The lines between "=== mountinfo" and "=== end" in the output, parsed.
std::vector<agentrt::runtime::MountInfo> container_mounts(const std::string& output);
// The mount on top at mountpoint, if any (a copy: the vector may be a temporary).
std::optional<agentrt::runtime::MountInfo> find_mount(const std::vector<agentrt::runtime::MountInfo>& mounts,
                                                      const std::string& mountpoint);
std::string host_mountinfo();
// The mountinfo "root" field a bind of host `path` shows: the path within its filesystem.
std::string fs_root_of(const std::string& path);

agentrt::oci::Mount make_mount(std::string dest, std::string type, std::string source,
                               std::vector<std::string> options);
// The runc-spec default mounts: proc, /dev tmpfs, devpts, shm, mqueue, sysfs (ro).
agentrt::oci::Spec default_spec();

// The script prints the mountinfo between markers with this.
inline const char* kPrintMounts = "echo '=== mountinfo'; cat /proc/self/mountinfo; echo '=== end'; ";

}  // namespace rootfs_test
