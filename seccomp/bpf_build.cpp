#include "seccomp/bpf_build.hpp"

#include <seccomp.h>
#include <sys/mman.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <set>

#include "oci/support/error.hpp"
#include "oci/support/unique_fd.hpp"
#include "seccomp/arch.hpp"

namespace agentrt::seccomp {
namespace {

using Ctx = std::unique_ptr<void, decltype(&seccomp_release)>;

uint32_t scmp_action(const Action& a) {
  using K = oci::SeccompAction;
  switch (a.kind) {
    case K::kill:
      return SCMP_ACT_KILL;
    case K::kill_process:
      return SCMP_ACT_KILL_PROCESS;
    case K::kill_thread:
      return SCMP_ACT_KILL_THREAD;
    case K::trap:
      return SCMP_ACT_TRAP;
    case K::errno_ret:
      return SCMP_ACT_ERRNO(a.errno_ret);
    case K::trace:
      return SCMP_ACT_TRACE(a.errno_ret);
    case K::allow:
      return SCMP_ACT_ALLOW;
    case K::log:
      return SCMP_ACT_LOG;
    case K::notify:
      return SCMP_ACT_NOTIFY;
  }
  return SCMP_ACT_KILL_PROCESS;
}

scmp_compare scmp_op(oci::SeccompOp op) {
  using O = oci::SeccompOp;
  switch (op) {
    case O::not_equal:
      return SCMP_CMP_NE;
    case O::less_than:
      return SCMP_CMP_LT;
    case O::less_equal:
      return SCMP_CMP_LE;
    case O::equal_to:
      return SCMP_CMP_EQ;
    case O::greater_equal:
      return SCMP_CMP_GE;
    case O::greater_than:
      return SCMP_CMP_GT;
    case O::masked_equal:
      return SCMP_CMP_MASKED_EQ;
  }
  return SCMP_CMP_EQ;
}

void check(int rc, const std::string& what) {
  if (rc < 0) throw sys_error(what, -rc);
}

Ctx new_context(const RuleSet& r) {
  Ctx ctx(seccomp_init(scmp_action(r.default_action)), &seccomp_release);
  if (!ctx) throw Error("seccomp_init: invalid default action");
  // A syscall from a foreign ABI (int 0x80 on x86_64) never reaches the rules: it kills the process.
  check(seccomp_attr_set(ctx.get(), SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS), "set bad-arch action");
  check(seccomp_attr_set(ctx.get(), SCMP_FLTATR_CTL_NNP, 0), "clear no_new_privs attribute");
  check(seccomp_attr_set(ctx.get(), SCMP_FLTATR_CTL_OPTIMIZE, kOptimizeLevel), "set binary-tree layout");
  if (r.arches.empty()) return ctx;
  uint32_t native = native_arch();
  bool keep_native = false;
  for (uint32_t a : r.arches) {
    if (a == native) {
      keep_native = true;
      continue;
    }
    int rc = seccomp_arch_add(ctx.get(), a);
    if (rc < 0 && rc != -EEXIST) check(rc, "add architecture " + std::to_string(a));
  }
  if (!keep_native) check(seccomp_arch_remove(ctx.get(), native), "remove native architecture");
  return ctx;
}

bool native_only(const RuleSet& r) {
  for (uint32_t a : r.arches)
    if (a != native_arch()) return false;
  return true;
}

bool allows_unknown(const Action& a) {
  using K = oci::SeccompAction;
  return a.kind == K::allow || a.kind == K::log || (a.kind == K::errno_ret && a.errno_ret == ENOSYS);
}

void add_enosys_rules(const RuleSet& r, void* ctx, const std::set<int>& named,
                      std::vector<std::string>& warnings) {
  if (allows_unknown(r.default_action)) return;
  int highest = named.empty() ? -1 : *named.rbegin();
  uint32_t enosys = SCMP_ACT_ERRNO(ENOSYS);
  bool raw_numbers = native_only(r);
  for (int nr = highest + 1; nr <= kEnosysCeiling; ++nr) {
    char* name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
    if (name == nullptr && !raw_numbers) continue;
    int sys = name ? seccomp_syscall_resolve_name(name) : nr;
    std::free(name);
    int rc = seccomp_rule_add(ctx, enosys, sys, 0);
    if (rc < 0)
      warnings.push_back("enosys rule for syscall " + std::to_string(nr) + ": " + std::strerror(-rc));
  }
}

std::vector<sock_filter> export_bpf(void* ctx) {
  UniqueFd fd(memfd_create("agentrt-seccomp-bpf", MFD_CLOEXEC));
  if (!fd) throw sys_error("memfd_create for seccomp export");
  check(seccomp_export_bpf(ctx, fd.get()), "export seccomp bpf");
  off_t size = lseek(fd.get(), 0, SEEK_END);
  if (size < 0) throw sys_error("seek seccomp bpf memfd");
  if (size % sizeof(sock_filter) != 0) throw Error("export seccomp bpf: truncated program");
  std::vector<sock_filter> insns(size / sizeof(sock_filter));
  ssize_t n = pread(fd.get(), insns.data(), size, 0);
  if (n != size) throw sys_error("read seccomp bpf memfd");
  return insns;
}

}  // namespace

std::vector<sock_filter> build_bpf(const RuleSet& r, std::vector<std::string>& warnings) {
  Ctx ctx = new_context(r);
  uint32_t default_act = scmp_action(r.default_action);
  std::set<int> named;
  for (const auto& rule : r.rules) {
    int nr = seccomp_syscall_resolve_name(rule.syscall.c_str());
    if (nr == __NR_SCMP_ERROR) {
      warnings.push_back("unknown syscall \"" + rule.syscall + "\" skipped");
      continue;
    }
    if (nr >= 0) named.insert(nr);
    uint32_t act = scmp_action(rule.action);
    // libseccomp refuses rules equal to the default action; the default already gives the same result.
    if (act == default_act) continue;
    std::vector<scmp_arg_cmp> conds;
    for (const auto& c : rule.conditions) {
      bool masked = c.op == oci::SeccompOp::masked_equal;
      conds.push_back(scmp_arg_cmp{c.index, scmp_op(c.op), c.value, masked ? c.value_two : 0});
    }
    int rc = seccomp_rule_add_array(ctx.get(), act, nr, static_cast<unsigned>(conds.size()), conds.data());
    if (rc == -EEXIST) {
      warnings.push_back("conflicting rule for syscall \"" + rule.syscall +
                         "\" ignored: an earlier rule wins");
      continue;
    }
    check(rc, "add seccomp rule for syscall \"" + rule.syscall + "\"");
  }
  add_enosys_rules(r, ctx.get(), named, warnings);
  return export_bpf(ctx.get());
}

}  // namespace agentrt::seccomp
