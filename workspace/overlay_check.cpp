#include "workspace/overlay_check.hpp"

#include <sys/mount.h>
#include <unistd.h>

#include <cstring>

#include "oci/support/error.hpp"
#include "oci/support/unique_fd.hpp"

namespace agentrt::workspace {
namespace {

// The messages the filesystem logged on the context ("e overlayfs: ..." lines), joined.
std::string context_messages(int fs_fd) {
  std::string out;
  char buf[1024];
  for (;;) {
    ssize_t n = ::read(fs_fd, buf, sizeof buf);
    if (n <= 0) return out;
    std::string line(buf, n);
    while (!line.empty() && line.back() == '\n') line.pop_back();
    if (line.size() > 2 && line[1] == ' ') line = line.substr(2);  // drop the "e "/"w "/"i " level
    out += (out.empty() ? "" : "; ") + line;
  }
}

}  // namespace

void check_overlay(const oci::Mount& overlay, const std::string& host_dir) {
  UniqueFd fs_fd(::fsopen("overlay", FSOPEN_CLOEXEC));
  if (!fs_fd) {
    if (errno == ENOSYS) return;
    throw sys_error("workspace " + overlay.destination + ": open an overlay filesystem context");
  }
  auto refuse = [&](const std::string& step) {
    int err = errno;
    std::string kernel = context_messages(fs_fd.get());
    throw Error("workspace " + overlay.destination + ": overlayfs refuses the host directory " + host_dir +
                    " as its lower layer (" + step + "): " + std::strerror(err) +
                    (kernel.empty() ? " (the kernel log says why; one cause: the directory is on an overlay "
                                      "already stacked as deep as the kernel allows)"
                                    : " (kernel: " + kernel + ")"),
                err);
  };
  for (const auto& option : overlay.options) {
    size_t eq = option.find('=');
    if (eq == std::string::npos) continue;  // a mount flag (nosuid, nodev ...), not a filesystem parameter
    std::string key = option.substr(0, eq), value = option.substr(eq + 1);
    if (::fsconfig(fs_fd.get(), FSCONFIG_SET_STRING, key.c_str(), value.c_str(), 0) < 0) refuse(option);
  }
  if (::fsconfig(fs_fd.get(), FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) < 0) refuse("create");
}

}  // namespace agentrt::workspace
