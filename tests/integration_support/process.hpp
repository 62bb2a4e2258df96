#pragma once
// Running a program (agentrt, runc, ip ...) and capturing its output and exit code.
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace itest {

namespace stdfs = std::filesystem;

// Where the runner keeps the captured output of a command while it runs.
inline const char* kIoDir = "/run/agentrt-tests/io";

struct Result {
  int code = -1;  // exit code, 128+N when killed by signal N, -1 on timeout
  std::string out;
  std::string err;
  std::string all() const { return out + err; }
};

// An env value replaced by the child's own pid (what systemd sets LISTEN_PID to).
inline const char* kSelfPid = "@self-pid";

struct RunOptions {
  std::vector<std::pair<int, int>> fds;    // {fd in this process, fd number in the child}
  std::map<std::string, std::string> env;  // added to (overriding) the inherited environment
  bool keep_extra_fds_open = false;        // do not close fds above the passed ones (stray fd checks)
  int timeout_s = 30;
  std::string input = "";  // the child's stdin (empty: /dev/null)
};

// Runs argv in its own process group with stdout/stderr redirected to files (a detached container holding
// them open cannot block us) and every fd not passed on closed. Kills the group after the timeout.
Result execute(const std::vector<std::string>& argv, const RunOptions& opts = {});
Result execute(const std::vector<std::string>& argv, int timeout_s);
// Like execute but keeps the output files at out_path/err_path (for a container that writes after we return).
Result execute_to(const std::vector<std::string>& argv, const stdfs::path& out_path,
                  const stdfs::path& err_path, const RunOptions& opts = {});
Result execute_to(const std::vector<std::string>& argv, const stdfs::path& out_path,
                  const stdfs::path& err_path, int timeout_s);

// A process running in the background (stdout to out, stderr to out.err); its group is killed and the
// process reaped on destruction.
class Background {
 public:
  Background(const std::vector<std::string>& argv, stdfs::path out);
  ~Background();
  Background(const Background&) = delete;
  Background& operator=(const Background&) = delete;
  // Exit code once it exits within timeout_s; std::nullopt if it is still running.
  std::optional<int> wait(double timeout_s);
  std::string output() const;

 private:
  int pid_ = -1;
  stdfs::path out_;
};

}  // namespace itest
