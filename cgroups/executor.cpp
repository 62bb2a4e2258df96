#include "cgroups/executor.hpp"

#include <cerrno>

#include "oci/support/error.hpp"

namespace agentrt::cgroups {
namespace {

int write_one(const FileWrite& fw, Writer& w) {
  int err = w.write(fw.controller, fw.file, fw.value);
  if (err == ENOENT && !fw.fallback_file.empty())
    err = w.write(fw.controller, fw.fallback_file, fw.fallback_value);
  if (err == ENOENT && fw.optional) err = 0;
  return err;
}

Error write_error(const FileWrite& fw, Writer& w, int err) {
  const std::string& file = err == ENOENT && !fw.fallback_file.empty() ? fw.fallback_file : fw.file;
  return sys_error(fw.resource + ": write " + w.path_of(fw.controller, file), err);
}

void check_controller(const FileWrite& fw, Writer& w) {
  if (!w.has_controller(fw.controller))
    throw Error(fw.resource + ": cgroup controller " + fw.controller + " is not available (" +
                w.path_of(fw.controller, fw.file) + ")");
}

}  // namespace

void execute(const std::vector<FileWrite>& writes, Writer& w) {
  for (size_t i = 0; i < writes.size(); ++i) {
    const FileWrite& fw = writes[i];
    check_controller(fw, w);
    int err = write_one(fw, w);
    if (err == EINVAL && fw.retry_after_next && i + 1 < writes.size()) {
      const FileWrite& next = writes[i + 1];
      check_controller(next, w);
      int err_next = write_one(next, w);
      if (err_next != 0) throw write_error(next, w, err_next);
      err = write_one(fw, w);
      ++i;
    }
    if (err != 0) throw write_error(fw, w, err);
  }
}

}  // namespace agentrt::cgroups
