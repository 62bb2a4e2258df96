#include "policy/egress_bpf.hpp"

#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/magic.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>

#include "oci/support/error.hpp"
#include "oci/support/unique_fd.hpp"
#include "policy/egress_program.hpp"

namespace agentrt::policy {
namespace {

long bpf(int cmd, bpf_attr& attr) {
  return ::syscall(SYS_bpf, cmd, &attr, sizeof attr);
}

void ensure_bpffs() {
  struct statfs st;
  if (::statfs(kBpffs, &st) == 0 && st.f_type == BPF_FS_MAGIC) return;
  if (::mount("bpf", kBpffs, "bpf", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0700") < 0)
    throw sys_error(std::string("mount bpffs at ") + kBpffs);
}

UniqueFd make_stats_map() {
  bpf_attr attr;
  std::memset(&attr, 0, sizeof attr);
  attr.map_type = BPF_MAP_TYPE_ARRAY;
  attr.key_size = 4;
  attr.value_size = egress_record::kRecordSize;
  attr.max_entries = egress_record::kStatsSlots + 1;
  std::strncpy(attr.map_name, "agentrt_egress", sizeof attr.map_name - 1);
  UniqueFd fd(static_cast<int>(bpf(BPF_MAP_CREATE, attr)));
  if (!fd) throw sys_error("create the egress stats map (bpf BPF_MAP_CREATE)");
  return fd;
}

// The program's fd, or -errno; the verifier's first words in *log on failure. The verifier writes a log only
// when asked for (with_log): the first try goes without, which saves its cost on every create.
int load_once(const EgressProgram& p, std::string* log, bool with_log) {
  static const char license[] = "Apache-2.0";
  log->assign(with_log ? 16 * 1024 : 0, '\0');
  bpf_attr attr;
  std::memset(&attr, 0, sizeof attr);
  attr.prog_type = p.prog_type;
  attr.expected_attach_type = p.attach_type;
  attr.insns = reinterpret_cast<uint64_t>(p.insns.data());
  attr.insn_cnt = static_cast<uint32_t>(p.insns.size());
  attr.license = reinterpret_cast<uint64_t>(license);
  attr.log_buf = reinterpret_cast<uint64_t>(log->data());
  attr.log_size = static_cast<uint32_t>(log->size());
  attr.log_level = with_log ? 1 : 0;
  if (!with_log) attr.log_buf = attr.log_size = 0;
  std::strncpy(attr.prog_name, "agentrt_egress", sizeof attr.prog_name - 1);
  int fd = static_cast<int>(bpf(BPF_PROG_LOAD, attr));
  if (fd < 0) {
    int err = errno;
    log->resize(std::strlen(log->c_str()));
    return -err;
  }
  return fd;
}

int load(const EgressProgram& p, std::string* log) {
  int fd = load_once(p, log, false);
  return fd >= 0 ? fd : load_once(p, log, true);
}

void attach(int cgroup_fd, int prog_fd, const EgressProgram& p, const std::string& dir) {
  bpf_attr attr;
  std::memset(&attr, 0, sizeof attr);
  attr.target_fd = static_cast<uint32_t>(cgroup_fd);
  attr.attach_bpf_fd = static_cast<uint32_t>(prog_fd);
  attr.attach_type = p.attach_type;
  attr.attach_flags = BPF_F_ALLOW_MULTI;
  if (bpf(BPF_PROG_ATTACH, attr) < 0)
    throw sys_error(std::string("attach the egress ") + to_string(p.hook) + " program to " + dir);
}

}  // namespace

std::string egress_pin_path(const std::string& id, const std::string& cgroup2_dir) {
  struct stat st;
  if (::stat(cgroup2_dir.c_str(), &st) < 0) throw sys_error("stat " + cgroup2_dir);
  // bpffs refuses names with a dot: the id's become '_' (the inode keeps two live containers apart).
  std::string name = id;
  for (char& c : name)
    if (c == '.') c = '_';
  return std::string(kBpffs) + "/agentrt/" + name + "-" + std::to_string(st.st_ino) + "-stats";
}

EgressAttachResult attach_egress(const EgressPlan& plan, const std::string& cgroup2_dir,
                                 const std::string& pin_path) {
  ensure_bpffs();
  std::string pin_dir = pin_path.substr(0, pin_path.rfind('/'));
  if (::mkdir(pin_dir.c_str(), 0700) < 0 && errno != EEXIST) throw sys_error("mkdir " + pin_dir);
  UniqueFd cgroup(::open(cgroup2_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!cgroup) throw sys_error("open cgroup " + cgroup2_dir);
  UniqueFd map = make_stats_map();
  bpf_attr attr;
  std::memset(&attr, 0, sizeof attr);
  attr.pathname = reinterpret_cast<uint64_t>(pin_path.c_str());
  attr.bpf_fd = static_cast<uint32_t>(map.get());
  if (bpf(BPF_OBJ_PIN, attr) < 0) throw sys_error("pin the egress stats map at " + pin_path);
  try {
    EgressAttachResult result;
    for (bool task_info : {true, false}) {
      std::vector<UniqueFd> progs;
      auto programs = egress_programs(plan, map.get(), task_info);
      std::string log;
      int failed = 0;
      for (const auto& p : programs) {
        int fd = load(p, &log);
        if (fd < 0) {
          failed = -fd;
          if (task_info) break;  // retried without pid/comm (kernels that do not offer them here)
          throw sys_error(std::string("load the egress ") + to_string(p.hook) +
                              " program (verifier: " + log.substr(0, 400) + ")",
                          failed);
        }
        progs.emplace_back(fd);
      }
      if (failed) continue;
      result.task_info = task_info;
      for (size_t i = 0; i < programs.size(); ++i)
        attach(cgroup.get(), progs[i].get(), programs[i], cgroup2_dir);
      return result;
    }
    return result;
  } catch (...) {
    remove_egress_pin(pin_path);
    throw;
  }
}

void remove_egress_pin(const std::string& pin_path) {
  if (pin_path.empty()) return;
  if (::unlink(pin_path.c_str()) < 0 && errno != ENOENT) throw sys_error("remove " + pin_path);
}

}  // namespace agentrt::policy
