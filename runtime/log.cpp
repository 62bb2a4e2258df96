#include "runtime/log.hpp"

#include <time.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

namespace agentrt::runtime {
namespace {

const char* level_name(LogLevel l) {
  switch (l) {
    case LogLevel::debug:
      return "debug";
    case LogLevel::info:
      return "info";
    case LogLevel::warning:
      return "warning";
    case LogLevel::error:
      return "error";
  }
  return "info";
}

std::string rfc3339_now() {
  time_t now = ::time(nullptr);
  tm t;
  ::gmtime_r(&now, &t);
  char buf[64];
  ::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &t);  // runc's (logrus) RFC 3339 seconds
  return buf;
}

}  // namespace

void Logger::log(LogLevel level, const std::string& msg) const {
  if (level == LogLevel::debug && !debug_) return;
  if (fd_ < 0) return;
  std::string line;
  if (format_ == LogFormat::json) {
    line = nlohmann::json{{"level", level_name(level)}, {"msg", msg}, {"time", rfc3339_now()}}.dump() + "\n";
  } else {
    line = "time=\"" + rfc3339_now() + "\" level=" + level_name(level) +
           " msg=" + nlohmann::json(msg).dump() + "\n";
  }
  // One write(2) per line so concurrent writers (shim, hooks) do not interleave partial lines.
  ssize_t rc = ::write(fd_, line.data(), line.size());
  (void)rc;
}

}  // namespace agentrt::runtime
