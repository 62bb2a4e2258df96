#include "audit/log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include "oci/support/error.hpp"
#include "oci/support/unique_fd.hpp"

namespace agentrt::audit {

std::string log_path(const std::string& state_root, const std::string& id) {
  return state_root + "/.audit/" + id + ".jsonl";
}

std::vector<nlohmann::json> LogTail::read_new() {
  std::vector<nlohmann::json> out;
  UniqueFd fd(::open(path_.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) {
    if (errno == ENOENT) return out;
    throw sys_error("open audit log " + path_);
  }
  std::string data;
  char buf[65536];
  for (;;) {
    ssize_t n = ::pread(fd.get(), buf, sizeof buf, static_cast<off_t>(offset_ + data.size()));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw sys_error("read audit log " + path_);
    if (n == 0) break;
    data.append(buf, static_cast<size_t>(n));
  }
  size_t start = 0;
  for (size_t nl; (nl = data.find('\n', start)) != std::string::npos; start = nl + 1) {
    std::string line = data.substr(start, nl - start);
    nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    out.push_back(j.is_discarded() ? nlohmann::json{{"unparsed", line}} : j);
  }
  offset_ += start;
  return out;
}

}  // namespace agentrt::audit
