#pragma once
// spec.mounts -> an ordered list of mount steps. Pure: facts about the host that change the plan (cgroup
// layout) come in as data, and what depends on the filesystem at run time (is the bind source a file?) is
// left to the executor as a CreateKind.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "oci/spec.hpp"
#include "runtime/mountinfo.hpp"

namespace agentrt::runtime {

// What to create at the destination when it does not exist.
enum class CreateKind { none, dir, file, like_source };

struct MountStep {
  enum class Op {
    mount,      // mount(source, destination, fstype, flags, data)
    remount,    // mount("", destination, "", flags | MS_REMOUNT, "") for options a bind cannot take at once
    propagate,  // mount("", destination, "", flags, ""): MS_SHARED, MS_SLAVE|MS_REC ...
    setattr,    // mount_setattr(destination, AT_RECURSIVE, attr_set, attr_clr)
    symlink,    // symlink(source, destination)
  };
  Op op = Op::mount;
  std::string source;  // host path or filesystem source ("proc", "tmpfs"); symlink target for Op::symlink
  std::string destination;  // container path, resolved inside the rootfs
  std::string fstype;
  unsigned long flags = 0;
  std::string data;
  CreateKind create = CreateKind::none;
  // tmpfs over an existing directory keeps that directory's mode unless the options set one (runc does this).
  bool keep_dir_mode = false;
  // On EPERM/EBUSY, bind this host path instead (cgroup2 cannot be mounted without a cgroup namespace in a
  // user namespace).
  std::string fallback_bind;
  uint64_t attr_set = 0, attr_clr = 0;
  // tmpfs "tmpcopyup": copy what the destination held before the mount into the new tmpfs.
  bool copy_up = false;
};

// "mount proc to /proc", "remount /data (ro,nosuid)", "make /data rslave" ... for error messages.
std::string describe(const MountStep& step);
// "ro,nosuid,nodev" for the flags a message cares about.
std::string flags_to_string(unsigned long flags);

// One cgroup v1 hierarchy as the runtime sees it before pivot_root.
struct CgroupV1Hierarchy {
  std::string mountpoint;  // /sys/fs/cgroup/memory
  std::string root;        // the mount's root in its hierarchy (mountinfo field 4), usually "/"
  std::string
      options;  // super options without rw/ro/release_agent: "memory", "cpu,cpuacct", "xattr,name=systemd"
  std::string own_path;  // this process's cgroup in that hierarchy (/proc/self/cgroup)
};

struct CgroupFacts {
  bool unified = false;    // /sys/fs/cgroup is a cgroup2 mount (pure v2)
  bool cgroup_ns = false;  // the container has its own cgroup namespace
  std::vector<CgroupV1Hierarchy> v1;
};

// The v1 hierarchies of mountinfo matched to this process's cgroups; each hierarchy once.
std::vector<CgroupV1Hierarchy> cgroup_v1_hierarchies(const std::vector<MountInfo>& mounts,
                                                     const std::map<std::string, std::string>& own);

// The steps for spec.mounts, in order. Throws Error naming the mount ("mounts[2]: ...") for mounts the
// runtime refuses (idmapped mounts, a destination of "/").
std::vector<MountStep> plan_mounts(const std::vector<oci::Mount>& mounts, const CgroupFacts& cgroups);

// Steps of a single spec mount (plan_mounts is this for each mount).
std::vector<MountStep> plan_mount(const oci::Mount& m, const CgroupFacts& cgroups);

// The procfs and sysfs mounts outside `rootfs`, in mountinfo order. Without pivot_root they stay in the
// container's mount namespace, where they count as "fully visible" and would let a nested user namespace
// mount procfs or sysfs despite masked paths (runc's msMoveRoot detaches them for that reason).
std::vector<std::string> proc_sys_mounts_outside(const std::vector<MountInfo>& mounts,
                                                 const std::string& rootfs);

// runc refuses mounts inside /proc except for the files lxcfs emulates, and a mount on /proc itself that is
// not procfs. `dest` is the resolved, clean container path. Returns "" when allowed, else the reason.
std::string check_proc_destination(const std::string& dest, bool source_is_procfs);

// procfs and sysfs go only on an ordinary directory or where nothing exists yet: mounting them through a
// symlink (or over a file) has been an attack path, and runc refuses it. `dest` is the spec's destination,
// `existing_mode` the st_mode lstat found there (0: nothing). Returns "" when allowed, else the reason
// naming the destination.
std::string check_special_fs_target(const std::string& fstype, const std::string& dest,
                                    unsigned existing_mode);

}  // namespace agentrt::runtime
