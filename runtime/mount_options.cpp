#include "runtime/mount_options.hpp"

#include <sys/mount.h>

#include <string_view>

#include "oci/support/error.hpp"

namespace agentrt::runtime {
namespace {

struct FlagOption {
  std::string_view name;
  bool clear;  // the option removes the flag instead of setting it
  unsigned long flag;
};

constexpr FlagOption kFlagOptions[] = {
    {"defaults", false, 0},
    {"ro", false, MS_RDONLY},
    {"rw", true, MS_RDONLY},
    {"nosuid", false, MS_NOSUID},
    {"suid", true, MS_NOSUID},
    {"nodev", false, MS_NODEV},
    {"dev", true, MS_NODEV},
    {"noexec", false, MS_NOEXEC},
    {"exec", true, MS_NOEXEC},
    {"sync", false, MS_SYNCHRONOUS},
    {"async", true, MS_SYNCHRONOUS},
    {"dirsync", false, MS_DIRSYNC},
    {"remount", false, MS_REMOUNT},
    {"mand", false, MS_MANDLOCK},
    {"nomand", true, MS_MANDLOCK},
    {"atime", true, MS_NOATIME},
    {"noatime", false, MS_NOATIME},
    {"diratime", true, MS_NODIRATIME},
    {"nodiratime", false, MS_NODIRATIME},
    {"relatime", false, MS_RELATIME},
    {"norelatime", true, MS_RELATIME},
    {"strictatime", false, MS_STRICTATIME},
    {"nostrictatime", true, MS_STRICTATIME},
    {"bind", false, MS_BIND},
    {"rbind", false, MS_BIND | MS_REC},
    {"silent", false, MS_SILENT},
    {"loud", true, MS_SILENT},
    {"iversion", false, MS_I_VERSION},
    {"noiversion", true, MS_I_VERSION},
    {"lazytime", false, MS_LAZYTIME},
    {"nolazytime", true, MS_LAZYTIME},
    {"nosymfollow", false, MS_NOSYMFOLLOW},
    {"symfollow", true, MS_NOSYMFOLLOW},
};

struct PropagationOption {
  std::string_view name;
  unsigned long flags;
};

constexpr PropagationOption kPropagationOptions[] = {
    {"private", MS_PRIVATE},       {"rprivate", MS_PRIVATE | MS_REC},
    {"shared", MS_SHARED},         {"rshared", MS_SHARED | MS_REC},
    {"slave", MS_SLAVE},           {"rslave", MS_SLAVE | MS_REC},
    {"unbindable", MS_UNBINDABLE}, {"runbindable", MS_UNBINDABLE | MS_REC},
};

// Recursive mount attributes (runc's "rro", "rnosuid" ...), applied with mount_setattr(AT_RECURSIVE).
struct AttrOption {
  std::string_view name;
  bool clear;
  uint64_t attr;
};

constexpr AttrOption kAttrOptions[] = {
    {"rro", false, MOUNT_ATTR_RDONLY},
    {"rrw", true, MOUNT_ATTR_RDONLY},
    {"rnosuid", false, MOUNT_ATTR_NOSUID},
    {"rsuid", true, MOUNT_ATTR_NOSUID},
    {"rnodev", false, MOUNT_ATTR_NODEV},
    {"rdev", true, MOUNT_ATTR_NODEV},
    {"rnoexec", false, MOUNT_ATTR_NOEXEC},
    {"rexec", true, MOUNT_ATTR_NOEXEC},
    {"rnodiratime", false, MOUNT_ATTR_NODIRATIME},
    {"rdiratime", true, MOUNT_ATTR_NODIRATIME},
    {"rnosymfollow", false, MOUNT_ATTR_NOSYMFOLLOW},
    {"rsymfollow", true, MOUNT_ATTR_NOSYMFOLLOW},
};

// The atime attributes are one 3-bit field: setting one means clearing the field, then setting the value.
struct AtimeOption {
  std::string_view name;
  uint64_t value;
};

constexpr AtimeOption kAtimeOptions[] = {
    {"rrelatime", MOUNT_ATTR_RELATIME},
    {"rnoatime", MOUNT_ATTR_NOATIME},
    {"rstrictatime", MOUNT_ATTR_STRICTATIME},
};

bool apply_flag_option(const std::string& opt, MountOptions& out) {
  for (const auto& f : kFlagOptions) {
    if (f.name != opt) continue;
    if (f.clear)
      out.flags &= ~f.flag;
    else
      out.flags |= f.flag;
    return true;
  }
  return false;
}

bool apply_attr_option(const std::string& opt, MountOptions& out) {
  for (const auto& a : kAttrOptions) {
    if (a.name != opt) continue;
    if (a.clear) {
      out.attr_clr |= a.attr;
      out.attr_set &= ~a.attr;
    } else {
      out.attr_set |= a.attr;
      out.attr_clr &= ~a.attr;
    }
    return true;
  }
  for (const auto& a : kAtimeOptions) {
    if (a.name != opt) continue;
    out.attr_clr |= MOUNT_ATTR__ATIME;
    out.attr_set = (out.attr_set & ~uint64_t{MOUNT_ATTR__ATIME}) | a.value;
    return true;
  }
  return false;
}

}  // namespace

bool MountOptions::bind() const {
  return flags & MS_BIND;
}

bool MountOptions::recursive() const {
  return flags & MS_REC;
}

MountOptions parse_mount_options(const std::vector<std::string>& options) {
  MountOptions out;
  for (const auto& opt : options) {
    if (apply_flag_option(opt, out) || apply_attr_option(opt, out)) continue;
    if (unsigned long p = propagation_flags(opt)) {
      out.propagation.push_back(p);
      continue;
    }
    if (opt == "tmpcopyup") {
      out.tmpcopyup = true;
      continue;
    }
    if (opt.empty()) continue;
    if (!out.data.empty()) out.data += ',';
    out.data += opt;
  }
  return out;
}

unsigned long propagation_flags(const std::string& name) {
  for (const auto& p : kPropagationOptions)
    if (p.name == name) return p.flags;
  return 0;
}

unsigned long rootfs_propagation_flags(const std::string& value) {
  if (value.empty()) return 0;
  if (unsigned long p = propagation_flags(value)) return p;
  throw Error("linux.rootfsPropagation: unsupported value \"" + value + "\"");
}

std::string propagation_name(unsigned long flags) {
  for (const auto& p : kPropagationOptions)
    if (p.flags == flags) return std::string(p.name);
  return "propagation flags " + std::to_string(flags);
}

}  // namespace agentrt::runtime
