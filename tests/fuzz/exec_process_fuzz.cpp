// `exec --process process.json`: the file is read and parsed as exec reads it. A bad file ends in an
// agentrt::Error naming the flag or field; anything else is a bug.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "oci/support/error.hpp"
#include "runtime/exec.hpp"

using namespace agentrt;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // A memfd per run: exec reads the file by path, and /proc/self/fd/N is one without touching a disk.
  int fd = memfd_create("process.json", MFD_CLOEXEC);
  if (fd < 0) abort();
  if (size > 0 && write(fd, data, size) != static_cast<ssize_t>(size)) abort();
  runtime::ExecOptions opts;
  opts.id = "c1";
  opts.process_file = "/proc/self/fd/" + std::to_string(fd);
  try {
    runtime::exec_process(oci::Process{}, opts);
  } catch (const Error&) {
  }
  close(fd);
  return 0;
}
