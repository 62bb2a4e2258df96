// bpf(2) side of the v2 device filter: load, attach, and detach what was attached before.
// libcgroup 2.0 has no support for device programs, so this talks to the kernel directly.
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "cgroups/device_bpf.hpp"
#include "oci/support/error.hpp"
#include "oci/support/unique_fd.hpp"

namespace agentrt::cgroups {
namespace {

long bpf(int cmd, bpf_attr& attr) {
  return ::syscall(SYS_bpf, cmd, &attr, sizeof attr);
}

UniqueFd load(const std::vector<bpf_insn>& program) {
  static const char license[] = "Apache";
  std::string log(64 * 1024, '\0');
  bpf_attr attr;
  std::memset(&attr, 0, sizeof attr);
  attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
  attr.insns = reinterpret_cast<uint64_t>(program.data());
  attr.insn_cnt = static_cast<uint32_t>(program.size());
  attr.license = reinterpret_cast<uint64_t>(license);
  attr.log_buf = reinterpret_cast<uint64_t>(log.data());
  attr.log_size = static_cast<uint32_t>(log.size());
  attr.log_level = 1;
  int fd = static_cast<int>(bpf(BPF_PROG_LOAD, attr));
  if (fd < 0) {
    int err = errno;
    std::string msg = "load device cgroup bpf program";
    std::string verifier = log.c_str();
    if (!verifier.empty()) msg += " (verifier: " + verifier.substr(0, 400) + ")";
    throw sys_error(msg, err);
  }
  return UniqueFd(fd);
}

std::vector<uint32_t> attached_ids(int cgroup_fd) {
  std::vector<uint32_t> ids(64);
  bpf_attr attr;
  std::memset(&attr, 0, sizeof attr);
  attr.query.target_fd = static_cast<uint32_t>(cgroup_fd);
  attr.query.attach_type = BPF_CGROUP_DEVICE;
  attr.query.prog_ids = reinterpret_cast<uint64_t>(ids.data());
  attr.query.prog_cnt = static_cast<uint32_t>(ids.size());
  if (bpf(BPF_PROG_QUERY, attr) < 0) throw sys_error("query device cgroup bpf programs");
  ids.resize(attr.query.prog_cnt);
  return ids;
}

void detach(int cgroup_fd, uint32_t id) {
  bpf_attr attr;
  std::memset(&attr, 0, sizeof attr);
  attr.prog_id = id;
  UniqueFd prog(static_cast<int>(bpf(BPF_PROG_GET_FD_BY_ID, attr)));
  if (!prog) {
    if (errno == ENOENT) return;
    throw sys_error("get bpf program " + std::to_string(id));
  }
  std::memset(&attr, 0, sizeof attr);
  attr.target_fd = static_cast<uint32_t>(cgroup_fd);
  attr.attach_bpf_fd = static_cast<uint32_t>(prog.get());
  attr.attach_type = BPF_CGROUP_DEVICE;
  if (bpf(BPF_PROG_DETACH, attr) < 0 && errno != ENOENT)
    throw sys_error("detach device cgroup bpf program " + std::to_string(id));
}

}  // namespace

void attach_device_program(int cgroup_fd, const std::vector<bpf_insn>& program) {
  UniqueFd prog = load(program);
  auto old = attached_ids(cgroup_fd);
  bpf_attr attr;
  std::memset(&attr, 0, sizeof attr);
  attr.target_fd = static_cast<uint32_t>(cgroup_fd);
  attr.attach_bpf_fd = static_cast<uint32_t>(prog.get());
  attr.attach_type = BPF_CGROUP_DEVICE;
  attr.attach_flags = BPF_F_ALLOW_MULTI;
  if (bpf(BPF_PROG_ATTACH, attr) < 0) throw sys_error("attach device cgroup bpf program");
  for (uint32_t id : old) detach(cgroup_fd, id);
}

}  // namespace agentrt::cgroups
