#include "audit/supervisor.hpp"

#include <fcntl.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <exception>
#include <string>
#include <vector>

#include "audit/call_table.hpp"
#include "audit/record.hpp"
#include "oci/support/fault_point.hpp"

namespace agentrt::audit {
namespace {

int parse_fd(const char* text) {
  char* end = nullptr;
  long v = std::strtol(text, &end, 10);
  return end != text && *end == '\0' && v >= 0 && v < 1 << 20 ? static_cast<int>(v) : -1;
}

void write_all(int fd, const char* data, size_t len) {
  while (len > 0) {
    ssize_t n = ::write(fd, data, len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // nothing left to tell: a full disk loses the record, never the reply
    data += n;
    len -= static_cast<size_t>(n);
  }
}

// /proc/<pid>/comm without its newline, or "" when the process is gone.
void read_comm(uint32_t pid, char* out, size_t cap) {
  char path[40];
  std::snprintf(path, sizeof path, "/proc/%u/comm", pid);
  out[0] = '\0';
  int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  ssize_t n = ::read(fd, out, cap - 1);
  ::close(fd);
  if (n <= 0) return;
  out[n] = '\0';
  if (out[n - 1] == '\n') out[n - 1] = '\0';
}

int64_t now_ns() {
  timespec ts{};
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

// One notification: the reply first matters to the caller, the record to the person; the comm is read
// while the caller still waits (its pid cannot be reused before the reply).
void answer(int listener, int log_fd, const std::vector<AuditedCall>& calls) {
  seccomp_notif req;
  std::memset(&req, 0, sizeof req);
  if (::ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0) return;  // ENOENT: the caller died meanwhile
  const AuditedCall* call = find_call(calls, req.data.nr);
  SeccompDenial d;
  d.time_ns = now_ns();
  d.pid = req.pid;
  char comm[32];
  read_comm(req.pid, comm, sizeof comm);
  d.comm = comm;
  d.syscall = call ? call->name.c_str() : "";
  d.nr = req.data.nr;
  for (int i = 0; i < 6; ++i) d.args[i] = req.data.args[i];
  // Only the floor's calls notify; an unknown one gets the floor's usual EPERM.
  d.errno_ret = call ? call->errno_ret : EPERM;
  seccomp_notif_resp resp;
  std::memset(&resp, 0, sizeof resp);
  resp.id = req.id;
  resp.error = -static_cast<int32_t>(d.errno_ret);
  ::ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp);  // ENOENT: killed while waiting; still recorded
  char line[1024];
  if (size_t len = format_seccomp_denial(d, line, sizeof line)) write_all(log_fd, line, len);
}

// The first byte of the binary's RELRO data (the linker script's symbol): what lies below it in a read-only
// mapping of the binary (headers, text, rodata) was never written.
extern "C" void (*__init_array_start[])();

// Drops the binary's read-only pages from this process's RSS, and has later faults map one page each (as far
// as the page cache's folios allow). Start-up runs the static initialisers of the whole binary and the kernel
// maps text in fault-around windows and large folios: about 2.5 MiB of a 4 MiB binary resident for a loop
// that runs a few pages. Those pages are clean file pages, so dropping them loses nothing (they fault back
// from the page cache). Only below the RELRO data: its pages were written by relocation and dropping would
// undo that.
void drop_startup_pages() {
  const unsigned long written_from = reinterpret_cast<unsigned long>(&__init_array_start[0]) & ~4095ul;
  int fd = ::open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  char buf[8192];
  size_t len = 0;
  for (ssize_t n; len < sizeof buf - 1 && (n = ::read(fd, buf + len, sizeof buf - 1 - len)) > 0;)
    len += static_cast<size_t>(n);
  ::close(fd);
  buf[len] = '\0';
  for (char* line = buf; line && *line;) {
    char* next = std::strchr(line, '\n');
    if (next) *next++ = '\0';
    unsigned long start = 0, end = 0;
    char perms[5] = {};
    bool read_only = std::sscanf(line, "%lx-%lx %4s", &start, &end, perms) == 3 &&
                     (std::strcmp(perms, "r-xp") == 0 || std::strcmp(perms, "r--p") == 0);
    if (end > written_from) end = written_from;
    if (read_only && start < end && !std::strchr(line, '[')) {  // not [vdso]
      void* addr = reinterpret_cast<void*>(start);
      ::madvise(addr, end - start, MADV_RANDOM);
      ::madvise(addr, end - start, MADV_DONTNEED);
    }
    line = next;
  }
}

void report_ready(int ready_fd, const std::string& text) {
  write_all(ready_fd, text.data(), text.size());
  ::close(ready_fd);
}

}  // namespace

int supervisor_main(int argc, char** argv) {
  int ready_fd = argc >= 5 ? parse_fd(argv[4]) : -1;
  if (argc != 7 || ready_fd < 0) {
    std::fprintf(stderr, "usage: agentrt %s <listener fd> <log fd> <ready fd> <calls> <container id>\n",
                 kSupervisorMode);
    return 2;
  }
  int listener = parse_fd(argv[2]), log_fd = parse_fd(argv[3]);
  std::vector<AuditedCall> calls;
  try {
    if (listener < 0 || log_fd < 0) throw std::runtime_error("invalid listener or log fd");
    calls = decode_calls(argv[5]);
  } catch (const std::exception& e) {
    report_ready(ready_fd, std::string("audit supervisor: ") + e.what());
    return 2;
  }
  fault_point("audit:supervisor-start");
  report_ready(ready_fd, "ok " + std::to_string(::getpid()));
  drop_startup_pages();
  for (;;) {
    pollfd p{listener, POLLIN, 0};
    int n = ::poll(&p, 1, -1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return 1;
    if (p.revents & POLLIN) {
      answer(listener, log_fd, calls);
      continue;
    }
    if (p.revents & (POLLHUP | POLLERR | POLLNVAL)) return 0;  // no process uses the filter any more
  }
}

}  // namespace agentrt::audit
