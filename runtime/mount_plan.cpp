#include "runtime/mount_plan.hpp"

#include <sys/mount.h>
#include <sys/stat.h>

#include <set>
#include <sstream>

#include "oci/support/error.hpp"
#include "runtime/mount_options.hpp"
#include "runtime/safe_path.hpp"

namespace agentrt::runtime {
namespace {

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  std::istringstream in(s);
  while (std::getline(in, cur, sep)) out.push_back(cur);
  return out;
}

constexpr unsigned long kBindFlags = MS_BIND | MS_REC;
constexpr unsigned long kCgroupTmpfsFlags = MS_NOSUID | MS_NODEV | MS_NOEXEC;

MountStep remount_step(const std::string& dest, unsigned long flags) {
  MountStep s;
  s.op = MountStep::Op::remount;
  s.destination = dest;
  s.flags = MS_BIND | flags;
  return s;
}

void add_propagation(std::vector<MountStep>& steps, const std::string& dest, const MountOptions& opts) {
  for (unsigned long p : opts.propagation) {
    MountStep s;
    s.op = MountStep::Op::propagate;
    s.destination = dest;
    s.flags = p;
    steps.push_back(s);
  }
}

// A bind mount takes only MS_BIND|MS_REC; every other flag needs a second, remount call.
void add_bind(std::vector<MountStep>& steps, const std::string& source, const std::string& dest,
              const MountOptions& opts, CreateKind create) {
  MountStep s;
  s.source = source;
  s.destination = dest;
  s.flags = opts.flags & kBindFlags;
  s.create = create;
  steps.push_back(s);
  if (unsigned long extra = opts.flags & ~(kBindFlags | MS_REMOUNT))
    steps.push_back(remount_step(dest, extra));
}

std::string cgroup_bind_source(const CgroupV1Hierarchy& h) {
  if (h.root == "/") return clean_path(h.mountpoint + "/" + h.own_path);
  if (h.own_path == h.root) return h.mountpoint;
  if (h.own_path.compare(0, h.root.size() + 1, h.root + "/") == 0)
    return clean_path(h.mountpoint + "/" + h.own_path.substr(h.root.size()));
  return h.mountpoint;  // our cgroup is outside what this mount shows: show what there is
}

// cgroup v1 (and hybrid), as runc does: a tmpfs at the destination and, for each hierarchy, a bind of this
// container's own cgroup directory (the init already lives in it), read-only if the mount asks for it. With a
// cgroup namespace each hierarchy is mounted afresh instead, which the kernel roots at the namespace's
// cgroup.
void plan_cgroup_v1(std::vector<MountStep>& steps, const std::string& dest, const MountOptions& opts,
                    const CgroupFacts& cg) {
  MountStep tmpfs;
  tmpfs.source = "tmpfs";
  tmpfs.destination = dest;
  tmpfs.fstype = "tmpfs";
  tmpfs.flags = kCgroupTmpfsFlags;
  tmpfs.data = "mode=755";
  tmpfs.create = CreateKind::dir;
  steps.push_back(tmpfs);
  add_propagation(steps, dest, opts);

  MountOptions sub_opts = opts;
  sub_opts.flags = (opts.flags & ~(kBindFlags | MS_REMOUNT)) | MS_BIND | MS_REC;
  std::vector<std::string> merged;
  for (const auto& h : cg.v1) {
    std::string name = base_name(clean_path(h.mountpoint));
    std::string sub = dest + "/" + name;
    if (name.find(',') != std::string::npos) merged.push_back(name);
    if (cg.cgroup_ns) {
      MountStep s;
      s.source = "cgroup";
      s.destination = sub;
      s.fstype = "cgroup";
      s.flags = MS_NOSUID | MS_NODEV | MS_NOEXEC;
      s.data = h.options;
      s.create = CreateKind::dir;
      steps.push_back(s);
      if (unsigned long extra = opts.flags & ~(kBindFlags | MS_REMOUNT))
        steps.push_back(remount_step(sub, extra | s.flags));
    } else {
      add_bind(steps, cgroup_bind_source(h), sub, sub_opts, CreateKind::dir);
    }
    add_propagation(steps, sub, opts);
  }
  for (const auto& name : merged) {
    for (const auto& part : split(name, ',')) {
      MountStep link;
      link.op = MountStep::Op::symlink;
      link.source = name;
      link.destination = dest + "/" + part;
      steps.push_back(link);
    }
  }
  if (opts.flags & MS_RDONLY) steps.push_back(remount_step(dest, MS_RDONLY | kCgroupTmpfsFlags));
}

// cgroup v2 with a cgroup namespace: a fresh cgroup2 mount, which the kernel roots at the namespace's cgroup;
// where that is not allowed, bind the host's /sys/fs/cgroup instead, as runc does. Without a cgroup namespace
// bind the host's /sys/fs/cgroup: a cgroup2 mount from the initial cgroup namespace would re-apply its mount
// options (nsdelegate, memory_recursiveprot ...) to the host's whole hierarchy.
void plan_cgroup_v2(std::vector<MountStep>& steps, const std::string& dest, const MountOptions& opts,
                    const std::string& source, bool cgroup_ns) {
  if (!cgroup_ns) {
    MountOptions bind = opts;
    bind.flags = (opts.flags & ~MS_REMOUNT) | MS_BIND | MS_REC;
    add_bind(steps, "/sys/fs/cgroup", dest, bind, CreateKind::dir);
    add_propagation(steps, dest, opts);
    return;
  }
  MountStep s;
  s.source = source.empty() ? "cgroup2" : source;
  s.destination = dest;
  s.fstype = "cgroup2";
  s.flags = opts.flags & ~(kBindFlags | MS_REMOUNT);
  s.data = opts.data;
  s.create = CreateKind::dir;
  s.fallback_bind = "/sys/fs/cgroup";
  steps.push_back(s);
  add_propagation(steps, dest, opts);
}

}  // namespace

std::string flags_to_string(unsigned long flags) {
  static const std::pair<unsigned long, const char*> names[] = {
      {MS_RDONLY, "ro"},
      {MS_NOSUID, "nosuid"},
      {MS_NODEV, "nodev"},
      {MS_NOEXEC, "noexec"},
      {MS_SYNCHRONOUS, "sync"},
      {MS_REMOUNT, "remount"},
      {MS_MANDLOCK, "mand"},
      {MS_DIRSYNC, "dirsync"},
      {MS_NOSYMFOLLOW, "nosymfollow"},
      {MS_NOATIME, "noatime"},
      {MS_NODIRATIME, "nodiratime"},
      {MS_BIND, "bind"},
      {MS_MOVE, "move"},
      {MS_REC, "rec"},
      {MS_SILENT, "silent"},
      {MS_UNBINDABLE, "unbindable"},
      {MS_PRIVATE, "private"},
      {MS_SLAVE, "slave"},
      {MS_SHARED, "shared"},
      {MS_RELATIME, "relatime"},
      {MS_I_VERSION, "iversion"},
      {MS_STRICTATIME, "strictatime"},
      {MS_LAZYTIME, "lazytime"},
  };
  std::string out;
  for (const auto& [flag, name] : names) {
    if (!(flags & flag)) continue;
    if (!out.empty()) out += ',';
    out += name;
  }
  return out.empty() ? "defaults" : out;
}

std::string describe(const MountStep& s) {
  switch (s.op) {
    case MountStep::Op::mount:
      return "mount " + (s.source.empty() ? s.fstype : s.source) + " to " + s.destination;
    case MountStep::Op::remount:
      return "remount " + s.destination + " (" + flags_to_string(s.flags & ~(MS_BIND | MS_REMOUNT)) + ")";
    case MountStep::Op::propagate:
      return "make " + s.destination + " " + propagation_name(s.flags);
    case MountStep::Op::setattr:
      return "set recursive mount attributes on " + s.destination;
    case MountStep::Op::symlink:
      return "symlink " + s.destination + " -> " + s.source;
  }
  return "mount step on " + s.destination;
}

std::vector<CgroupV1Hierarchy> cgroup_v1_hierarchies(const std::vector<MountInfo>& mounts,
                                                     const std::map<std::string, std::string>& own) {
  std::vector<CgroupV1Hierarchy> out;
  std::set<std::string> seen;
  for (const auto& m : mounts) {
    if (m.fstype != "cgroup") continue;
    std::set<std::string> opts;
    std::string kept;
    for (const auto& o : split(m.super_options, ',')) {
      opts.insert(o);
      if (o == "rw" || o == "ro" || o.rfind("release_agent=", 0) == 0) continue;
      kept += (kept.empty() ? "" : ",") + o;
    }
    for (const auto& [controllers, path] : own) {
      if (controllers.empty() || seen.count(controllers)) continue;
      bool all = true;
      for (const auto& c : split(controllers, ',')) all = all && opts.count(c);
      if (!all) continue;
      seen.insert(controllers);
      out.push_back({m.mountpoint, m.root, kept, path});
      break;
    }
  }
  return out;
}

std::vector<MountStep> plan_mount(const oci::Mount& m, const CgroupFacts& cgroups) {
  if (!m.uid_mappings.empty() || !m.gid_mappings.empty())
    throw Error("mount " + m.destination + ": idmapped mounts are not supported");
  if (m.destination.empty()) throw Error("mount: empty destination");
  std::string dest = clean_path(m.destination);
  if (dest == "/")
    throw Error("mount " + m.source + " to /: the rootfs itself cannot be a mount destination");
  MountOptions opts = parse_mount_options(m.options);
  std::vector<MountStep> steps;

  if (m.type == "cgroup") {
    if (cgroups.unified)
      plan_cgroup_v2(steps, dest, opts, m.source, cgroups.cgroup_ns);
    else
      plan_cgroup_v1(steps, dest, opts, cgroups);
    return steps;
  }
  if (opts.bind() || m.type == "bind") {
    opts.flags |= MS_BIND;
    add_bind(steps, m.source, dest, opts, CreateKind::like_source);
  } else {
    MountStep s;
    s.source = m.source.empty() ? m.type : m.source;
    s.destination = dest;
    s.fstype = m.type;
    s.flags = opts.flags;
    // /dev stays writable until the device nodes exist; finalize_rootfs makes it read-only (as runc does).
    if (dest == "/dev") s.flags &= ~MS_RDONLY;
    s.data = opts.data;
    s.create = CreateKind::dir;
    s.keep_dir_mode = m.type == "tmpfs";
    s.copy_up = opts.tmpcopyup && m.type == "tmpfs";
    steps.push_back(s);
  }
  add_propagation(steps, dest, opts);
  if (opts.attr_set || opts.attr_clr) {
    MountStep s;
    s.op = MountStep::Op::setattr;
    s.destination = dest;
    s.attr_set = opts.attr_set;
    s.attr_clr = opts.attr_clr;
    steps.push_back(s);
  }
  return steps;
}

std::vector<MountStep> plan_mounts(const std::vector<oci::Mount>& mounts, const CgroupFacts& cgroups) {
  std::vector<MountStep> out;
  for (size_t i = 0; i < mounts.size(); ++i) {
    try {
      auto steps = plan_mount(mounts[i], cgroups);
      out.insert(out.end(), steps.begin(), steps.end());
    } catch (const Error& e) {
      throw e.wrap("mounts[" + std::to_string(i) + "]");
    }
  }
  return out;
}

std::vector<std::string> proc_sys_mounts_outside(const std::vector<MountInfo>& mounts,
                                                 const std::string& rootfs) {
  std::vector<std::string> out;
  for (const auto& m : mounts) {
    if (m.fstype != "proc" && m.fstype != "sysfs") continue;
    if (m.mountpoint == rootfs || m.mountpoint.compare(0, rootfs.size() + 1, rootfs + "/") == 0) continue;
    out.push_back(m.mountpoint);
  }
  return out;
}

std::string check_proc_destination(const std::string& dest, bool source_is_procfs) {
  static const char* const allowed[] = {
      "/proc/cpuinfo", "/proc/diskstats", "/proc/meminfo",  "/proc/stat",    "/proc/swaps",
      "/proc/uptime",  "/proc/loadavg",   "/proc/slabinfo", "/proc/net/dev", "/proc/sys/kernel/ns_last_pid",
  };
  if (dest == "/proc")
    return source_is_procfs ? "" : "\"/proc\" cannot be mounted because it is not of type proc";
  if (dest.rfind("/proc/", 0) != 0) return "";
  for (const char* a : allowed)
    if (dest == a) return "";
  return "\"" + dest + "\" cannot be mounted because it is inside /proc";
}

std::string check_special_fs_target(const std::string& fstype, const std::string& dest,
                                    unsigned existing_mode) {
  if (fstype != "proc" && fstype != "sysfs") return "";
  if (existing_mode == 0 || S_ISDIR(existing_mode)) return "";
  const char* found = S_ISLNK(existing_mode) ? "a symlink" : "not a directory";
  return "destination " + dest + ": filesystem \"" + fstype +
         "\" must be mounted on an ordinary directory (" + dest + " in the rootfs is " + found + ")";
}

}  // namespace agentrt::runtime
