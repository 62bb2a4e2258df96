#pragma once
// checkpoint/restore through CRIU: runc's flags and a container's facts -> the argv of `criu dump`,
// `criu pre-dump` and `criu restore`. Pure: the facts (pids, inodes, which masked paths are files) are
// gathered by the caller (criu_run.hpp, checkpoint.cpp, restore.cpp).
//
// The criu command line rather than its RPC (`criu swrk`): the RPC is protobuf, and protobuf is not among
// the project's dependencies; everything runc asks over RPC for a plain container has a CLI option, except
// the post-restore notifications, which we replace with --pidfile and the restored task being our child
// (--restore-sibling).
#include <sys/types.h>

#include <string>
#include <vector>

#include "oci/spec.hpp"

namespace agentrt::runtime::criu {

// --manage-cgroups-mode; unset leaves criu's own default (soft).
enum class CgroupMode { unset, soft, full, strict, ignore };
// "soft" -> CgroupMode::soft ...; throws an Error naming --manage-cgroups-mode for anything else.
CgroupMode parse_cgroup_mode(const std::string& text);
const char* to_string(CgroupMode m);

struct CheckpointOptions {
  std::string image_path;   // --image-path (absolute)
  std::string work_path;    // --work-path; empty: the image path
  std::string parent_path;  // --parent-path: the previous (pre-)dump, relative to image_path as criu takes it
  bool leave_running = false;
  bool tcp_established = false;
  bool file_locks = false;
  bool pre_dump = false;
  CgroupMode cgroup_mode = CgroupMode::unset;
};

struct RestoreOptions {
  std::string image_path;
  std::string work_path;  // empty: the image path
  bool tcp_established = false;
  bool file_locks = false;
  CgroupMode cgroup_mode = CgroupMode::unset;
};

// A bind mount of the container: where it is inside and what it shows from the host.
struct BindMount {
  std::string destination;  // container path, the key criu files the mount under
  std::string source;       // host path (used at restore)
};

// A namespace the container joined (linux.namespaces[].path) rather than created.
struct JoinedNamespace {
  std::string type;  // criu's name: net, pid, ipc, uts, mnt, user, cgroup, time
  std::string path;  // the namespace file
  ino_t inode = 0;   // its inode (dump)
  int fd = -1;       // an open fd of it that criu inherits (restore, net and pid only)
};

// What the planner needs to know about the container.
struct ContainerFacts {
  pid_t pid = 0;                 // the init (dump)
  std::string root;              // the rootfs (dump) or the mount point of its bind (restore)
  std::vector<BindMount> binds;  // the spec's bind mounts
  std::vector<std::string>
      masked_files;                  // linux.maskedPaths that are files: /dev/null is bound on them (dump)
  bool has_masked_paths = false;     // (restore: /dev/null is then an external mount)
  std::vector<std::string> devices;  // device nodes, which may be binds of the host's
  std::vector<JoinedNamespace> joined;
  std::string freeze_cgroup;       // the container's freezer cgroup directory (dump; empty: criu uses ptrace)
  std::string cgroup_root;         // the cgroup the restored tasks go into (restore)
  std::vector<std::string> stdio;  // what fds 0, 1, 2 of the init were at the dump (descriptors.json)
  std::string pid_file;            // where criu writes the restored init's pid (restore)
};

// The log file criu writes into the work directory.
inline const char* kDumpLog = "dump.log";
inline const char* kPreDumpLog = "pre-dump.log";
inline const char* kRestoreLog = "restore.log";
// Why a container with process.terminal is neither checkpointed nor restored. criu re-creates the container's
// pty pair at restore; only its RPC mode hands the new master to the caller (the "orphan-pts-master"
// notification, criu(8)), which runc passes on to --console-socket. The command line has no such option:
// --inherit-fd tty[rdev:dev] wants an open slave, which cannot exist before criu makes the container's
// devpts, and --shell-job is for a host terminal. The RPC is protobuf, not a dependency of agentrt.
inline const char* kTerminalRefusal =
    "process.terminal: checkpoint/restore of a container with a terminal is not supported: criu's command "
    "line cannot hand the restored pty master to --console-socket (criu's orphan-pts-master exists only in "
    "its RPC mode)";
// runc's name for the stdio record in the image directory (podman and runc read it too).
inline const char* kDescriptorsFile = "descriptors.json";

// criu's key for a joined namespace of type t: extRootNetNS, extRootPidNS (runc's names).
std::string external_namespace_key(const std::string& type);

// What the spec alone says: its bind mounts (sources made absolute against bundle), device nodes, whether it
// masks paths, the namespaces it joins (paths, no inodes or fds yet).
ContainerFacts facts_from_spec(const oci::Spec& spec, const std::string& bundle);

// argv after the criu binary: ["dump" | "pre-dump", ...].
std::vector<std::string> dump_args(const CheckpointOptions& opts, const ContainerFacts& facts);
// argv after the criu binary: ["restore", ...]; the restored init becomes a sibling of criu (a child of the
// process that runs criu), every restored task is left stopped (SIGSTOP), and criu exits.
std::vector<std::string> restore_args(const RestoreOptions& opts, const ContainerFacts& facts);
// argv after the criu binary for `criu check`, logging into work_dir/log_name.
std::vector<std::string> check_args(const std::string& work_dir, const std::string& log_name);

}  // namespace agentrt::runtime::criu
