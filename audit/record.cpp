#include "audit/record.hpp"

#include <cstdio>
#include <cstring>
#include <ctime>

namespace agentrt::audit {
namespace {

// Appends printf output at *len; false once it no longer fits.
template <typename... A>
bool put(char* buf, size_t cap, size_t* len, const char* fmt, A... args) {
  if (*len >= cap) return false;
  int n = std::snprintf(buf + *len, cap - *len, fmt, args...);
  if (n < 0 || static_cast<size_t>(n) >= cap - *len) return false;
  *len += static_cast<size_t>(n);
  return true;
}

// A JSON string body: quotes, backslashes and control bytes escaped, other bytes kept.
bool put_escaped(char* buf, size_t cap, size_t* len, const char* s) {
  for (; *s; ++s) {
    unsigned char c = static_cast<unsigned char>(*s);
    bool ok = c == '"' || c == '\\'   ? put(buf, cap, len, "\\%c", c)
              : c < 0x20 || c == 0x7f ? put(buf, cap, len, "\\u%04x", c)
                                      : put(buf, cap, len, "%c", c);
    if (!ok) return false;
  }
  return true;
}

const char* errno_name(uint32_t e) {
  const char* name = ::strerrorname_np(static_cast<int>(e));
  return name ? name : "";
}

}  // namespace

const char* format_time(int64_t time_ns, char* buf, size_t cap) {
  time_t secs = static_cast<time_t>(time_ns / 1000000000);
  tm t{};
  ::gmtime_r(&secs, &t);
  std::snprintf(buf, cap, "%04d-%02d-%02dT%02d:%02d:%02d.%09lldZ", t.tm_year + 1900, t.tm_mon + 1, t.tm_mday,
                t.tm_hour, t.tm_min, t.tm_sec, static_cast<long long>(time_ns % 1000000000));
  return buf;
}

size_t format_seccomp_denial(const SeccompDenial& d, char* buf, size_t cap) {
  char when[40];
  size_t len = 0;
  bool ok =
      put(buf, cap, &len, "{\"time\":\"%s\",\"timeNs\":%lld,\"source\":\"seccomp\",\"pid\":%u,\"comm\":\"",
          format_time(d.time_ns, when, sizeof when), static_cast<long long>(d.time_ns), d.pid) &&
      put_escaped(buf, cap, &len, d.comm) && put(buf, cap, &len, "\",\"syscall\":\"") &&
      put_escaped(buf, cap, &len, d.syscall) && put(buf, cap, &len, "\",\"nr\":%d,\"args\":[", d.nr);
  for (int i = 0; ok && i < 6; ++i)
    ok = put(buf, cap, &len, "%s\"0x%llx\"", i ? "," : "", static_cast<unsigned long long>(d.args[i]));
  ok = ok &&
       put(buf, cap, &len, "],\"errno\":%u,\"errnoName\":\"%s\"}\n", d.errno_ret, errno_name(d.errno_ret));
  return ok ? len : 0;
}

nlohmann::json notice_record(int64_t time_ns, const std::string& message) {
  char when[40];
  return {{"time", format_time(time_ns, when, sizeof when)},
          {"timeNs", time_ns},
          {"source", "agentrt"},
          {"notice", message}};
}

nlohmann::json egress_record(int64_t time_ns, int pid, const std::string& comm,
                             const std::string& destination, int err) {
  char when[40];
  return {{"time", format_time(time_ns, when, sizeof when)},
          {"timeNs", time_ns},
          {"source", "egress"},
          {"pid", pid},
          {"comm", comm},
          {"destination", destination},
          {"errno", err},
          {"errnoName", errno_name(static_cast<uint32_t>(err))}};
}

std::string describe(const nlohmann::json& r) {
  if (!r.is_object()) return r.dump();
  std::string out = r.value("time", "?");
  std::string source = r.value("source", "");
  if (source == "agentrt") return out + " agentrt: " + r.value("notice", "");
  out += " pid " + std::to_string(r.value("pid", 0)) + " " + r.value("comm", "") + ": ";
  if (source == "seccomp") {
    std::string args;
    if (r.contains("args") && r["args"].is_array())
      for (const auto& a : r["args"])
        args += (args.empty() ? "" : ", ") + (a.is_string() ? a.get<std::string>() : a.dump());
    std::string name = r.value("syscall", "");
    out += (name.empty() ? "syscall " + std::to_string(r.value("nr", -1)) : name) + "(" + args + ")";
  } else if (source == "egress") {
    out += "connect " + r.value("destination", "");
  } else {
    return r.dump();
  }
  return out + " = " + r.value("errnoName", "errno " + std::to_string(r.value("errno", 0)));
}

}  // namespace agentrt::audit
