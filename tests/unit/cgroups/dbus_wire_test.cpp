#include "cgroups/systemd/dbus_wire.hpp"

#include <catch2/catch.hpp>
#include <cstring>

#include "oci/support/error.hpp"

using namespace agentrt::cgroups::systemd;
using namespace agentrt::cgroups::systemd::dbus;

namespace {

std::string le32(uint32_t v) {
  std::string s(4, '\0');
  std::memcpy(s.data(), &v, 4);
  return s;
}

std::string pad(std::string s, size_t n) {
  while (s.size() % n) s.push_back('\0');
  return s;
}

}  // namespace

TEST_CASE("dbus: a(sv) is laid out as the specification aligns it") {
  Body b;
  b.properties({{"Delegate", true}});
  std::string expected = le32(20) + std::string(4, '\0') + le32(8) + std::string("Delegate\0", 9) +
                         std::string("\1b\0", 3) + le32(1);
  CHECK(b.bytes() == expected);
  CHECK(b.signature() == "a(sv)");

  Body empty;
  empty.str("x").empty_aux_units();  // "x": 4+2 bytes, then the length at 8 and padding to 16
  CHECK(empty.bytes() == pad(le32(1) + std::string("x\0", 2), 4) + le32(0) + std::string(4, '\0'));
  CHECK(empty.signature() == "sa(sa(sv))");
}

TEST_CASE("dbus: every property type, then the call parses back") {
  Body body;
  body.str("agentrt-c1.scope")
      .str("replace")
      .properties({{"PIDs", std::vector<uint32_t>{42}},
                   {"MemoryMax", uint64_t{1} << 30},
                   {"AllowedCPUs", std::vector<uint8_t>{3}},
                   {"DeviceAllow", DeviceAllowList{{"/dev/char/1:3", "rwm"}}},
                   {"Slice", std::string("system.slice")}})
      .empty_aux_units();
  std::string msg = method_call({"org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                                 "org.freedesktop.systemd1.Manager", "StartTransientUnit"},
                                body, 7);
  REQUIRE(message_size(msg.substr(0, 16)) == msg.size());
  Message m = parse_message(msg);
  CHECK(m.type == Message::method_call);
  CHECK(m.member == "StartTransientUnit");
  CHECK(m.signature == "ssa(sv)a(sa(sv))");
  CHECK(m.body == body.bytes());
  CHECK(msg.size() % 8 == body.bytes().size() % 8);  // the body starts 8-aligned
}

TEST_CASE("dbus: a JobRemoved signal and an error reply") {
  // Header fields of a signal: member, signature; body uoss.
  auto field = [](uint8_t code, char type, const std::string& v) {
    std::string f = pad(std::string(1, static_cast<char>(code)) + std::string(1, 1) + type + '\0', 4);
    if (type == 'g') return f.substr(0, 4) + static_cast<char>(v.size()) + v + '\0';
    return f + le32(static_cast<uint32_t>(v.size())) + v + '\0';
  };
  std::string fields = pad(field(3, 's', "JobRemoved"), 8) + field(8, 'g', "uoss");
  std::string body = le32(9) + le32(22) + "/org/freedesktop/job/9" + '\0';
  body = pad(body, 4) + le32(16) + "agentrt-c1.scope" + '\0';
  body = pad(body, 4) + le32(4) + "done" + '\0';
  std::string head = std::string("l\4\1\1", 4) + le32(static_cast<uint32_t>(body.size())) + le32(3) +
                     le32(static_cast<uint32_t>(fields.size()));
  std::string msg = pad(head + fields, 8) + body;
  Message m = parse_message(msg);
  auto j = read_job_removed(m);
  REQUIRE(j);
  CHECK(j->id == 9);
  CHECK(j->job == "/org/freedesktop/job/9");
  CHECK(j->unit == "agentrt-c1.scope");
  CHECK(j->result == "done");

  Message err;
  err.type = Message::error;
  err.error_name = "org.freedesktop.systemd1.NoSuchUnit";
  err.signature = "s";
  err.body = le32(5) + "gone!" + '\0';
  CHECK(read_error_text(err) == "gone!");
  CHECK_FALSE(read_job_removed(err));
}

TEST_CASE("dbus: malformed input is an error, not a crash") {
  REQUIRE_THROWS_WITH(message_size("B123456789012345"), Catch::Contains("not little-endian"));
  REQUIRE_THROWS_WITH(message_size("l12"), Catch::Contains("short header"));
  std::string truncated = std::string("l\2\1\1", 4) + le32(100) + le32(1) + le32(0);
  REQUIRE_THROWS_WITH(parse_message(truncated), Catch::Contains("truncated"));
}
