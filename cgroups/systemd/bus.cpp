#include "cgroups/systemd/bus.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "oci/support/error.hpp"

namespace agentrt::cgroups::systemd {
namespace {

const char* const kSocket = "/run/systemd/private";
const char* const kSystemd = "org.freedesktop.systemd1";
constexpr int64_t kTimeoutMs = 60000;

int64_t now_ms() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1000 + ts.tv_nsec / 1000000;
}

void send_all(int fd, const std::string& bytes, const std::string& what) {
  size_t off = 0;
  while (off < bytes.size()) {
    ssize_t n = ::send(fd, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw sys_error(what + ": send to " + kSocket);
    off += static_cast<size_t>(n);
  }
}

// Reads more bytes into buf; false when nothing came by deadline_ms.
bool read_some(int fd, std::string& buf, int64_t deadline_ms, const std::string& what) {
  for (;;) {
    int64_t left = deadline_ms - now_ms();
    if (left <= 0) return false;
    pollfd p{fd, POLLIN, 0};
    int r = ::poll(&p, 1, static_cast<int>(left));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) throw sys_error(what + ": poll " + kSocket);
    if (r == 0) continue;
    char chunk[4096];
    ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n < 0) throw sys_error(what + ": recv from " + kSocket);
    if (n == 0) throw Error(what + ": systemd closed the connection");
    buf.append(chunk, static_cast<size_t>(n));
    return true;
  }
}

Error timed_out(const std::string& what) {
  return Error(what + ": systemd did not answer within " + std::to_string(kTimeoutMs / 1000) + " s");
}

// SASL EXTERNAL: the kernel tells systemd our uid; we name it (as hex of its decimal text) and begin.
void authenticate(int fd) {
  const std::string what = "authenticate to systemd";
  std::string uid = std::to_string(::geteuid()), hex;
  const char* digits = "0123456789abcdef";
  for (unsigned char c : uid) hex += {digits[c >> 4], digits[c & 15]};
  send_all(fd, std::string(1, '\0') + "AUTH EXTERNAL " + hex + "\r\n", what);
  std::string line;
  int64_t deadline = now_ms() + kTimeoutMs;
  while (line.find("\r\n") == std::string::npos)
    if (!read_some(fd, line, deadline, what)) throw timed_out(what);
  if (line.rfind("OK ", 0) != 0) throw Error(what + ": refused: " + line.substr(0, line.find("\r\n")));
  if (line.size() != line.find("\r\n") + 2) throw Error(what + ": unexpected data after OK");
  send_all(fd, "BEGIN\r\n", what);
}

}  // namespace

bool systemd_running() {
  struct stat st {};
  return ::lstat("/run/systemd/system", &st) == 0 && S_ISDIR(st.st_mode);
}

Bus Bus::connect() {
  if (!systemd_running())
    throw Error("systemd not running on this host, cannot use systemd cgroups manager (--systemd-cgroup)");
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) throw sys_error("socket for systemd's private bus");
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, kSocket, sizeof addr.sun_path - 1);
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0)
    throw sys_error(std::string("connect to systemd at ") + kSocket);
  authenticate(fd.get());
  return Bus(std::move(fd));
}

std::optional<dbus::Message> Bus::receive(int64_t until_ms, const std::string& what) {
  while (inbuf_.size() < 16 || inbuf_.size() < dbus::message_size(inbuf_.substr(0, 16)))
    if (!read_some(fd_.get(), inbuf_, until_ms, what)) return std::nullopt;
  size_t size = dbus::message_size(inbuf_.substr(0, 16));
  dbus::Message m = dbus::parse_message(inbuf_.substr(0, size));
  inbuf_.erase(0, size);
  if (auto removed = dbus::read_job_removed(m)) finished_jobs_[removed->job] = removed->result;
  return m;
}

std::optional<dbus::Message> Bus::call(const std::string& member, const dbus::Body& body,
                                       const std::string& what, const std::function<bool()>& finished) {
  dbus::Call c{kSystemd, "/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager", member};
  return call(c, body, what, finished);
}

std::optional<dbus::Message> Bus::call(const dbus::Call& c, const dbus::Body& body, const std::string& what,
                                       const std::function<bool()>& finished) {
  uint32_t serial = ++serial_;
  int64_t deadline = now_ms() + kTimeoutMs;
  send_all(fd_.get(), dbus::method_call(c, body, serial), what);
  for (;;) {
    if (finished && finished()) return std::nullopt;
    int64_t now = now_ms();
    if (now >= deadline) throw timed_out(what);
    auto m = receive(finished ? std::min(deadline, now + 100) : deadline, what);
    if (!m) continue;
    bool reply = m->type == dbus::Message::method_return || m->type == dbus::Message::error;
    if (reply && m->reply_serial == serial) return m;
  }
}

dbus::Message Bus::call(const std::string& member, const dbus::Body& body, const std::string& what) {
  return *call(member, body, what, {});
}

// On the private socket systemd sends every signal to every direct connection: no subscription needed,
// and a JobRemoved read while waiting for the call's reply is already recorded. finished, when given, is
// asked every 100 ms: a stop is complete once the unit's cgroup is gone, signal or not.
void Bus::wait_job(const std::string& job, const std::string& what, const std::function<bool()>& finished) {
  int64_t deadline = now_ms() + kTimeoutMs;
  while (!finished_jobs_.count(job)) {
    if (finished && finished()) return;
    int64_t now = now_ms();
    if (now >= deadline) throw timed_out(what + " (job " + job + ")");
    receive(std::min(deadline, now + 100), what);
  }
  std::string result = finished_jobs_[job];
  finished_jobs_.erase(job);
  if (result != "done") throw Error(what + ": systemd job " + result);
}

void Bus::reset_failed(const std::string& unit) {
  // An error here (no such unit, unit not failed) leaves nothing to reset.
  call("ResetFailedUnit", dbus::Body().str(unit), "systemd ResetFailedUnit " + unit);
}

void Bus::start_transient_unit(const std::string& unit, const std::vector<UnitProperty>& props) {
  const std::string what = "systemd StartTransientUnit " + unit;
  dbus::Body body;
  body.str(unit).str("replace").properties(props).empty_aux_units();
  dbus::Message reply = call("StartTransientUnit", body, what);
  if (reply.type == dbus::Message::error && reply.error_name == "org.freedesktop.systemd1.UnitExists") {
    // A leftover that failed or went inactive (its container died without a delete) is reset and made
    // again; ResetFailedUnit leaves an active unit alone, and the second attempt reports it.
    reset_failed(unit);
    reply = call("StartTransientUnit", body, what);
  }
  if (reply.type == dbus::Message::error) throw Error(what + ": " + dbus::read_error_text(reply));
  wait_job(dbus::read_object_path(reply), what, {});
}

// The reply to a StopUnit sent just after the scope's last process died has been seen to take more than
// 60 s under emulation (in 2 of 4 guest runs) while the unit was already gone: the stop is complete as soon
// as the unit's cgroup is removed, whether the reply or the job's signal came or not.
void Bus::stop_unit(const std::string& unit, const std::function<bool()>& gone) {
  const std::string what = "systemd StopUnit " + unit;
  auto reply = call("StopUnit", dbus::Body().str(unit).str("replace"), what, gone);
  if (!reply) return;
  if (reply->type == dbus::Message::error) {
    if (reply->error_name != "org.freedesktop.systemd1.NoSuchUnit")
      throw Error(what + ": " + dbus::read_error_text(*reply));
  } else {
    wait_job(dbus::read_object_path(*reply), what, gone);
  }
  reset_failed(unit);
}

void Bus::set_unit_properties(const std::string& unit, const std::vector<UnitProperty>& props) {
  if (props.empty()) return;
  const std::string what = "systemd SetUnitProperties " + unit;
  dbus::Message reply =
      call("SetUnitProperties", dbus::Body().str(unit).boolean(true).properties(props), what);
  if (reply.type == dbus::Message::error) throw Error(what + ": " + dbus::read_error_text(reply));
}

std::optional<std::string> Bus::unit_control_group(const std::string& unit) {
  const std::string what = "systemd ControlGroup of " + unit;
  dbus::Message unit_path = call("GetUnit", dbus::Body().str(unit), what);
  if (unit_path.type == dbus::Message::error) return std::nullopt;
  bool slice = unit.size() > 6 && unit.compare(unit.size() - 6, 6, ".slice") == 0;
  dbus::Call get{kSystemd, dbus::read_object_path(unit_path), "org.freedesktop.DBus.Properties", "Get"};
  std::string interface = slice ? "org.freedesktop.systemd1.Slice" : "org.freedesktop.systemd1.Scope";
  dbus::Message reply = *call(get, dbus::Body().str(interface).str("ControlGroup"), what, {});
  if (reply.type == dbus::Message::error) return std::nullopt;
  std::string group = dbus::read_string_variant(reply);
  if (group.empty()) return std::nullopt;
  return group;
}

}  // namespace agentrt::cgroups::systemd
