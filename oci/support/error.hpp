#pragma once
// One error type for the whole runtime: a message built from a chain of context
// ("create cgroup /sys/fs/cgroup/x: mkdir: Device or resource busy") plus the errno that caused it, if any.
#include <cerrno>
#include <stdexcept>
#include <string>

namespace agentrt {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& msg, int err = 0) : std::runtime_error(msg), errno_(err) {}
  int error_number() const { return errno_; }

  // Returns a copy of this error with "context: " prepended.
  Error wrap(const std::string& context) const { return Error(context + ": " + what(), errno_); }

 private:
  int errno_;
};

// Error from the current errno: "<what>: <strerror(errno)>".
Error sys_error(const std::string& what);
Error sys_error(const std::string& what, int err);

// Throws sys_error(what) when rc < 0; returns rc otherwise.
template <typename T>
T check_sys(T rc, const std::string& what) {
  if (rc < 0) throw sys_error(what);
  return rc;
}

}  // namespace agentrt
