#pragma once
// Where a container's audit log lives and how it is read back. The log is <state root>/.audit/<id>.jsonl:
// beside the containers' state directories rather than in one, so it outlives `delete` (`docker run --rm`
// deletes the container as soon as it exits, which is when the person wants to see what was denied); on
// the state root's tmpfs it goes with a reboot, and a new container with the same id starts a new log.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace agentrt::audit {

std::string log_path(const std::string& state_root, const std::string& id);

// Reads the complete lines appended since the last call (a line still being written waits for the next).
class LogTail {
 public:
  explicit LogTail(std::string path) : path_(std::move(path)) {}
  // Records in file order; a line that is not JSON is returned as {"unparsed": line}. A missing file
  // has no records.
  std::vector<nlohmann::json> read_new();

 private:
  std::string path_;
  uint64_t offset_ = 0;
};

}  // namespace agentrt::audit
