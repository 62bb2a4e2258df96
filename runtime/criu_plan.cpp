#include "runtime/criu_plan.hpp"

#include "oci/support/error.hpp"
#include "oci/support/fs.hpp"
#include "runtime/devices.hpp"
#include "runtime/mount_options.hpp"

namespace agentrt::runtime::criu {
namespace {

std::string cgroup_mode_arg(CgroupMode m) {
  return std::string("--manage-cgroups=") + to_string(m);
}

// Options both dump and restore take the same way.
void add_common(std::vector<std::string>& a, const std::string& images, const std::string& work,
                const char* log, bool tcp_established, bool file_locks, CgroupMode mode) {
  a.insert(a.end(),
           {"--images-dir", images, "--work-dir", work.empty() ? images : work, "--log-file", log, "-v4"});
  if (tcp_established) a.push_back("--tcp-established");
  if (file_locks) a.push_back("--file-locks");
  a.push_back(mode == CgroupMode::unset ? "--manage-cgroups" : cgroup_mode_arg(mode));
}

void add_external(std::vector<std::string>& a, const std::string& what) {
  a.push_back("--external");
  a.push_back(what);
}

const char* criu_namespace_name(oci::NamespaceType t) {
  switch (t) {
    case oci::NamespaceType::network:
      return "net";
    case oci::NamespaceType::mount:
      return "mnt";
    case oci::NamespaceType::pid:
      return "pid";
    case oci::NamespaceType::ipc:
      return "ipc";
    case oci::NamespaceType::uts:
      return "uts";
    case oci::NamespaceType::user:
      return "user";
    case oci::NamespaceType::cgroup:
      return "cgroup";
    case oci::NamespaceType::time:
      return "time";
  }
  return "";
}

}  // namespace

ContainerFacts facts_from_spec(const oci::Spec& spec, const std::string& bundle) {
  ContainerFacts f;
  for (const auto& m : spec.mounts) {
    if (m.type != "bind" && !parse_mount_options(m.options).bind()) continue;
    std::string source = m.source.empty() || m.source[0] == '/' ? m.source : fs::join(bundle, m.source);
    f.binds.push_back({m.destination, source});
  }
  if (spec.linux) {
    f.has_masked_paths = !spec.linux->masked_paths.empty();
    for (const auto& ns : spec.linux->namespaces)
      if (!ns.path.empty()) f.joined.push_back({criu_namespace_name(ns.type), ns.path});
  }
  for (const auto& d : plan_devices(spec)) f.devices.push_back(d.path);
  return f;
}

CgroupMode parse_cgroup_mode(const std::string& text) {
  for (CgroupMode m : {CgroupMode::soft, CgroupMode::full, CgroupMode::strict, CgroupMode::ignore})
    if (text == to_string(m)) return m;
  throw Error("--manage-cgroups-mode: invalid value \"" + text + "\" (expected soft, full, strict or ignore)",
              EINVAL);
}

const char* to_string(CgroupMode m) {
  switch (m) {
    case CgroupMode::soft:
      return "soft";
    case CgroupMode::full:
      return "full";
    case CgroupMode::strict:
      return "strict";
    case CgroupMode::ignore:
      return "ignore";
    case CgroupMode::unset:
      break;
  }
  return "";
}

std::string external_namespace_key(const std::string& type) {
  std::string name = type;
  if (!name.empty()) name[0] = static_cast<char>(name[0] - 'a' + 'A');
  return "extRoot" + name + "NS";
}

std::vector<std::string> dump_args(const CheckpointOptions& opts, const ContainerFacts& facts) {
  if (opts.image_path.empty()) throw Error("--image-path: no directory to save the checkpoint in", EINVAL);
  std::vector<std::string> a = {opts.pre_dump ? "pre-dump" : "dump", "--tree", std::to_string(facts.pid),
                                "--root", facts.root};
  add_common(a, opts.image_path, opts.work_path, opts.pre_dump ? kPreDumpLog : kDumpLog, opts.tcp_established,
             opts.file_locks, opts.cgroup_mode);
  if (opts.leave_running && !opts.pre_dump) a.push_back("--leave-running");
  if (!facts.freeze_cgroup.empty()) a.insert(a.end(), {"--freeze-cgroup", facts.freeze_cgroup});
  if (!opts.parent_path.empty()) a.insert(a.end(), {"--prev-images-dir", opts.parent_path});
  // Memory tracking lets a later dump take only the pages changed since this one.
  if (opts.pre_dump || !opts.parent_path.empty()) a.push_back("--track-mem");
  // A pre-dump saves memory only: mounts and namespaces are the final dump's.
  if (opts.pre_dump) return a;
  for (const auto& b : facts.binds) add_external(a, "mnt[" + b.destination + "]:" + b.destination);
  for (const auto& f : facts.masked_files) add_external(a, "mnt[" + f + "]:/dev/null");
  for (const auto& d : facts.devices) add_external(a, "mnt[" + d + "]:" + d);
  for (const auto& ns : facts.joined)
    if (ns.type == "net" || ns.type == "pid")
      add_external(a, ns.type + "[" + std::to_string(ns.inode) + "]:" + external_namespace_key(ns.type));
  return a;
}

std::vector<std::string> restore_args(const RestoreOptions& opts, const ContainerFacts& facts) {
  if (opts.image_path.empty()) throw Error("--image-path: no checkpoint directory to restore from", EINVAL);
  // Stopped: the restored tasks run no instruction before their confinement is checked (restore.cpp).
  std::vector<std::string> a = {
      "restore",           "--root",          facts.root,         "--restore-detached",
      "--restore-sibling", "--leave-stopped", "--evasive-devices"};
  add_common(a, opts.image_path, opts.work_path, kRestoreLog, opts.tcp_established, opts.file_locks,
             opts.cgroup_mode);
  if (!facts.pid_file.empty()) a.insert(a.end(), {"--pidfile", facts.pid_file});
  if (!facts.cgroup_root.empty()) a.insert(a.end(), {"--cgroup-root", facts.cgroup_root});
  for (const auto& b : facts.binds) add_external(a, "mnt[" + b.destination + "]:" + b.source);
  if (facts.has_masked_paths) add_external(a, "mnt[/dev/null]:/dev/null");
  for (const auto& d : facts.devices) add_external(a, "mnt[" + d + "]:" + d);
  for (const auto& ns : facts.joined) {
    if (ns.type == "net" || ns.type == "pid") {
      if (ns.fd < 0) throw Error("linux.namespaces: " + ns.type + " namespace " + ns.path + " is not open");
      a.insert(a.end(),
               {"--inherit-fd", "fd[" + std::to_string(ns.fd) + "]:" + external_namespace_key(ns.type)});
    } else if (ns.type == "cgroup") {
      // criu cannot join an existing cgroup namespace (runc refuses the same way).
      throw Error("linux.namespaces: criu cannot restore into the existing cgroup namespace " + ns.path,
                  ENOTSUP);
    } else {
      a.insert(a.end(), {"--join-ns", ns.type + ":" + ns.path});
    }
  }
  // The init's stdio pipes (an engine's) become ours: criu gives the restored fds the ones we hold.
  for (size_t fd = 0; fd < facts.stdio.size(); ++fd)
    if (facts.stdio[fd].find("pipe:") != std::string::npos)
      a.insert(a.end(), {"--inherit-fd", "fd[" + std::to_string(fd) + "]:" + facts.stdio[fd]});
  return a;
}

std::vector<std::string> check_args(const std::string& work_dir, const std::string& log_name) {
  return {"check", "--work-dir", work_dir, "--log-file", log_name, "-v4"};
}

}  // namespace agentrt::runtime::criu
