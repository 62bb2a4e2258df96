#pragma once
// Mount option strings of a spec mount ("ro", "nosuid", "rbind", "rslave", "mode=755") -> mount(2) flags,
// propagation changes and the filesystem data string. Pure.
#include <cstdint>
#include <string>
#include <vector>

namespace agentrt::runtime {

struct MountOptions {
  unsigned long flags = 0;                 // MS_* for mount(2); bind/rbind give MS_BIND (|MS_REC)
  std::vector<unsigned long> propagation;  // one mount(2) call each, in option order: MS_SLAVE|MS_REC ...
  uint64_t attr_set = 0;   // MOUNT_ATTR_* set recursively with mount_setattr (rro, rnosuid ...)
  uint64_t attr_clr = 0;   // MOUNT_ATTR_* cleared recursively (rrw, rsuid ...)
  bool tmpcopyup = false;  // runc extension: copy the rootfs content into a new tmpfs
  std::string data;        // every unrecognised option, comma-joined, for the filesystem

  bool bind() const;
  bool recursive() const;
};

// Options apply in order, so "ro,rw" is read-write. Unknown options go to data unchanged.
MountOptions parse_mount_options(const std::vector<std::string>& options);

// Propagation name (private rprivate shared rshared slave rslave unbindable runbindable) -> MS_* flags;
// 0 for anything else.
unsigned long propagation_flags(const std::string& name);

// linux.rootfsPropagation -> MS_* flags; "" gives 0 (runtime default). Throws Error on unknown values.
unsigned long rootfs_propagation_flags(const std::string& value);

// Inverse of propagation_flags() for messages: MS_SLAVE|MS_REC -> "rslave".
std::string propagation_name(unsigned long flags);

}  // namespace agentrt::runtime
