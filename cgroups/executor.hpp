#pragma once
// Performs a Plan's writes through a Writer (libcgroup for v1, the v2 directory, or a recording fake in
// tests) and turns a refusal into an Error naming the resource and the file:
//   linux.resources.memory.limit: write /sys/fs/cgroup/memory/x/memory.limit_in_bytes: Device or resource
//   busy
#include <string>
#include <vector>

#include "cgroups/plan.hpp"

namespace agentrt::cgroups {

class Writer {
 public:
  virtual ~Writer() = default;
  // Whether files of this controller can be written here ("" is the cgroup core, always true).
  virtual bool has_controller(const std::string& controller) const = 0;
  // Writes value; returns 0 or the errno (ENOENT when the file does not exist). Never throws.
  virtual int write(const std::string& controller, const std::string& file, const std::string& value) = 0;
  // The full path of a file, for messages.
  virtual std::string path_of(const std::string& controller, const std::string& file) const = 0;
};

void execute(const std::vector<FileWrite>& writes, Writer& w);

}  // namespace agentrt::cgroups
