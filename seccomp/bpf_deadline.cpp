#include "seccomp/bpf_deadline.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>

#include "oci/support/error.hpp"
#include "oci/support/unique_fd.hpp"

namespace agentrt::seccomp {
namespace {

// The child's answer on the pipe: u8 ok, then either the program (u32 count, insns) and the warnings
// (u32 count, each u32 length + bytes), or the error message (u32 length + bytes).
void put_u32(std::string& out, uint32_t v) {
  out.append(reinterpret_cast<const char*>(&v), sizeof v);
}
void put_string(std::string& out, const std::string& s) {
  put_u32(out, static_cast<uint32_t>(s.size()));
  out += s;
}

std::string encode(const std::vector<sock_filter>& insns, const std::vector<std::string>& warnings) {
  std::string out(1, '\1');
  put_u32(out, static_cast<uint32_t>(insns.size()));
  out.append(reinterpret_cast<const char*>(insns.data()), insns.size() * sizeof(sock_filter));
  put_u32(out, static_cast<uint32_t>(warnings.size()));
  for (const auto& w : warnings) put_string(out, w);
  return out;
}

class Reader {
 public:
  explicit Reader(const std::string& s) : s_(s) {}
  const char* take(size_t n) {
    if (s_.size() - pos_ < n) throw Error("seccomp compile: the compiling process's answer is truncated");
    const char* p = s_.data() + pos_;
    pos_ += n;
    return p;
  }
  uint32_t u32() {
    uint32_t v;
    std::memcpy(&v, take(sizeof v), sizeof v);
    return v;
  }
  std::string str() {
    uint32_t n = u32();
    return std::string(take(n), n);
  }

 private:
  const std::string& s_;
  size_t pos_ = 0;
};

[[noreturn]] void child(const RuleSet& r, int fd) {
  std::string out;
  try {
    std::vector<std::string> warnings;
    auto insns = build_bpf(r, warnings);
    out = encode(insns, warnings);
  } catch (const std::exception& e) {
    out.assign(1, '\0');
    put_string(out, e.what());
  }
  for (size_t done = 0; done < out.size();) {
    ssize_t n = write(fd, out.data() + done, out.size() - done);
    if (n <= 0) _exit(1);
    done += static_cast<size_t>(n);
  }
  _exit(0);
}

// Reads until EOF or the deadline; false on timeout.
bool read_until(int fd, std::string& out, std::chrono::steady_clock::time_point end) {
  char buf[16384];
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd, POLLIN, 0};
    int rc = poll(&p, 1, static_cast<int>(left.count()));
    if (rc < 0 && errno == EINTR) continue;
    if (rc < 0) throw sys_error("seccomp compile: poll");
    if (rc == 0) return false;
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw sys_error("seccomp compile: read the compiling process's answer");
    if (n == 0) return true;
    out.append(buf, static_cast<size_t>(n));
  }
}

}  // namespace

std::vector<sock_filter> build_bpf_within(const RuleSet& r, std::vector<std::string>& warnings,
                                          std::chrono::milliseconds deadline) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) < 0) throw sys_error("seccomp compile: pipe");
  UniqueFd rd(fds[0]), wr(fds[1]);
  auto end = std::chrono::steady_clock::now() + deadline;
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) throw sys_error("seccomp compile: fork");
  if (pid == 0) {
    // The child shares the runtime's fds (the state lock among them): it must not outlive a killed runtime.
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent) _exit(1);
    rd.reset();
    child(r, wr.get());
  }
  wr.reset();
  std::string answer;
  bool finished = false;
  try {
    finished = read_until(rd.get(), answer, end);
  } catch (...) {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    throw;
  }
  if (!finished) kill(pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!finished)
    throw Error("linux.seccomp: libseccomp did not finish compiling the filter within " +
                std::to_string(deadline.count() / 1000) +
                " s (libseccomp 2.5.4 loops forever on some sets of argument rules for one syscall)");
  if (answer.empty())
    throw Error("seccomp compile: the compiling process died (" +
                std::string(WIFSIGNALED(status) ? strsignal(WTERMSIG(status)) : "no answer") + ")");
  Reader in(answer);
  bool ok = *in.take(1) == '\1';
  if (!ok) throw Error(in.str());
  std::vector<sock_filter> insns(in.u32());
  std::memcpy(insns.data(), in.take(insns.size() * sizeof(sock_filter)), insns.size() * sizeof(sock_filter));
  for (uint32_t n = in.u32(); n > 0; --n) warnings.push_back(in.str());
  return insns;
}

}  // namespace agentrt::seccomp
