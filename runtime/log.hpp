#pragma once
// runc-compatible log lines. Text: `time="..." level=error msg="..."`; JSON:
// {"level":"error","msg":"...","time":"..."}. One Logger is built by the CLI from --log/--log-format/--debug
// and passed down by reference (no global state).
#include <string>

namespace agentrt::runtime {

enum class LogFormat { text, json };
enum class LogLevel { debug, info, warning, error };

class Logger {
 public:
  Logger() = default;
  Logger(int fd, LogFormat format, bool debug) : fd_(fd), format_(format), debug_(debug) {}

  void log(LogLevel level, const std::string& msg) const;
  void debug(const std::string& msg) const { log(LogLevel::debug, msg); }
  void info(const std::string& msg) const { log(LogLevel::info, msg); }
  void warn(const std::string& msg) const { log(LogLevel::warning, msg); }
  void error(const std::string& msg) const { log(LogLevel::error, msg); }
  int fd() const { return fd_; }
  bool debug_enabled() const { return debug_; }

 private:
  int fd_ = 2;
  LogFormat format_ = LogFormat::text;
  bool debug_ = false;
};

}  // namespace agentrt::runtime
