#pragma once
// Runs a host command with its stdin, stdout and stderr on pipes, reading both outputs as they come (so a
// chatty child cannot block on a full pipe) and killing its process group at a deadline.
#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace tools_test {

struct Output {
  int code = -1;  // exit status, 128+N when killed by signal N
  bool timed_out = false;
  std::string out;
  std::string err;
};

class Spawned {
 public:
  // argv[0] must be an absolute path. The child leads its own process group.
  explicit Spawned(const std::vector<std::string>& argv);
  Spawned(const Spawned&) = delete;
  Spawned& operator=(const Spawned&) = delete;
  ~Spawned();  // kills the process group of a child still running and reaps it

  void send(const std::string& data);  // to the child's stdin
  void close_stdin();
  // Reads both outputs until they close and the child exits, or SIGKILLs the process group at the deadline.
  Output wait(std::chrono::seconds timeout);

 private:
  pid_t pid_ = -1;
  int in_ = -1;
  int out_ = -1;
  int err_ = -1;
};

// Spawns argv with an empty stdin and waits for it.
Output run_command(const std::vector<std::string>& argv, std::chrono::seconds timeout);

}  // namespace tools_test
