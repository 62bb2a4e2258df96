// Raw Landlock system calls: Debian ships no library for them (liblandlock is not packaged) and the three
// calls with their structs are the whole interface.
#include "policy/landlock_apply.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include "oci/support/error.hpp"
#include "oci/support/unique_fd.hpp"

namespace agentrt::policy {
namespace {

// <linux/landlock.h>'s structs as of ABI 6 (Debian's header may lack `scoped`).
struct RulesetAttr {
  uint64_t handled_access_fs;
  uint64_t handled_access_net;
  uint64_t scoped;
};

struct __attribute__((packed)) PathBeneathAttr {
  uint64_t allowed_access;
  int32_t parent_fd;
};

constexpr unsigned kCreateRulesetVersion = 1U << 0;
constexpr int kRulePathBeneath = 1;

void add_rule(int ruleset, int fd, uint64_t access, const std::string& what) {
  struct stat st;
  if (::fstat(fd, &st) < 0) throw sys_error("landlock: stat " + what);
  // A rule on a file may only carry file rights.
  if (!S_ISDIR(st.st_mode)) access &= landlock_access::file_rights;
  if (access == 0) return;
  PathBeneathAttr attr{access, fd};
  if (::syscall(SYS_landlock_add_rule, ruleset, kRulePathBeneath, &attr, 0) < 0)
    throw sys_error("landlock: add rule for " + what);
}

}  // namespace

int landlock_abi() {
  long abi = ::syscall(SYS_landlock_create_ruleset, nullptr, 0, kCreateRulesetVersion);
  return abi < 0 ? 0 : static_cast<int>(abi);
}

void apply_landlock(const LandlockPlan& plan, const std::vector<int>& extra_files) {
  if (plan.handled_fs == 0 && plan.scoped == 0) return;
  RulesetAttr attr{plan.handled_fs, 0, plan.scoped};
  // Before ABI 6 the kernel knows only the first two fields.
  size_t size = plan.abi >= 6 ? sizeof attr : offsetof(RulesetAttr, scoped);
  UniqueFd ruleset(static_cast<int>(::syscall(SYS_landlock_create_ruleset, &attr, size, 0)));
  if (!ruleset) throw sys_error("landlock: create ruleset (ABI " + std::to_string(plan.abi) + ")");
  for (const auto& rule : plan.rules) {
    UniqueFd fd(::open(rule.path.c_str(), O_PATH | O_CLOEXEC));
    if (!fd) {
      if (errno == ENOENT) continue;
      throw sys_error("landlock: open " + rule.path);
    }
    add_rule(ruleset.get(), fd.get(), rule.access & plan.handled_fs, rule.path);
  }
  for (int fd : extra_files)
    add_rule(ruleset.get(), fd, plan.handled_fs & (landlock_access::read_file | landlock_access::write_file),
             "fd " + std::to_string(fd));
  if (::syscall(SYS_landlock_restrict_self, ruleset.get(), 0) < 0) throw sys_error("landlock: restrict self");
}

}  // namespace agentrt::policy
