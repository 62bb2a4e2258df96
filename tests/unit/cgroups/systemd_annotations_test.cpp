#include <catch2/catch.hpp>
#include <cstring>

#include "cgroups/systemd/dbus_wire.hpp"
#include "cgroups/systemd/gvariant_text.hpp"
#include "cgroups/systemd/property_annotations.hpp"
#include "oci/support/error.hpp"

using namespace agentrt;
using namespace agentrt::cgroups::systemd;

namespace {

DbusValue scalar(const std::string& sig, uint64_t bits) {
  return DbusValue{sig, bits, "", {}};
}
DbusValue text(const std::string& sig, const std::string& s) {
  return DbusValue{sig, 0, s, {}};
}
uint64_t double_bits(double d) {
  uint64_t b;
  std::memcpy(&b, &d, sizeof b);
  return b;
}
std::string le32(uint32_t v) {
  std::string s(4, '\0');
  std::memcpy(s.data(), &v, 4);
  return s;
}

}  // namespace

TEST_CASE("gvariant text: the forms runc's documentation and users write") {
  CHECK(parse_gvariant_text("uint64 123456789") == scalar("t", 123456789));
  CHECK(parse_gvariant_text("'inactive-or-failed'") == text("s", "inactive-or-failed"));
  CHECK(parse_gvariant_text("\"double \\\"quoted\\\"\"") == text("s", "double \"quoted\""));
  CHECK(parse_gvariant_text("true") == scalar("b", 1));
  CHECK(parse_gvariant_text("  false ") == scalar("b", 0));
  CHECK(parse_gvariant_text("42") == scalar("i", 42));  // an untyped integer is int32, as in GVariant
  CHECK(parse_gvariant_text("-7") == scalar("i", static_cast<uint64_t>(-7)));
  CHECK(parse_gvariant_text("1.5") == scalar("d", double_bits(1.5)));
  CHECK(parse_gvariant_text("byte 0x1f") == scalar("y", 31));
  CHECK(parse_gvariant_text("int16 -2") == scalar("n", static_cast<uint64_t>(-2)));
  CHECK(parse_gvariant_text("uint32 4294967295") == scalar("u", 4294967295u));
  CHECK(parse_gvariant_text("int64 -9223372036854775808") == scalar("x", uint64_t{1} << 63));
  CHECK(parse_gvariant_text("@t 5") == scalar("t", 5));
  CHECK(parse_gvariant_text("objectpath '/org/x'") == text("o", "/org/x"));
  CHECK(parse_gvariant_text("boolean true") == scalar("b", 1));
}

TEST_CASE("gvariant text: arrays and tuples take one element type") {
  DbusValue as = parse_gvariant_text("['a.service', 'b.service']");
  CHECK(as.signature == "as");
  REQUIRE(as.items.size() == 2);
  CHECK(as.items[1] == text("s", "b.service"));

  CHECK(parse_gvariant_text("@as []") == DbusValue{"as", 0, "", {}});
  CHECK(parse_gvariant_text("[uint64 1, 2]").signature == "at");  // the first element types the rest
  DbusValue mixed = parse_gvariant_text("[1, 2.5]");
  CHECK(mixed.signature == "ad");
  CHECK(mixed.items[0] == scalar("d", double_bits(1.0)));

  DbusValue devices = parse_gvariant_text("[('/dev/null', 'rw'), ('char-pts', 'rwm')]");
  CHECK(devices.signature == "a(ss)");
  REQUIRE(devices.items.size() == 2);
  CHECK(devices.items[1].items[0] == text("s", "char-pts"));
  CHECK(parse_gvariant_text("@a(st) [('x', 1)]").items[0].items[1] == scalar("t", 1));
}

TEST_CASE("gvariant text: what it cannot read is an error saying what and where") {
  REQUIRE_THROWS_WITH(parse_gvariant_text(""), Catch::Contains("a value was expected"));
  REQUIRE_THROWS_WITH(parse_gvariant_text("'open"), Catch::Contains("unterminated string"));
  REQUIRE_THROWS_WITH(parse_gvariant_text("uint64 -1"), Catch::Contains("out of range"));
  REQUIRE_THROWS_WITH(parse_gvariant_text("byte 256"), Catch::Contains("out of range"));
  REQUIRE_THROWS_WITH(parse_gvariant_text("int32 1.5"), Catch::Contains("not an integer"));
  REQUIRE_THROWS_WITH(parse_gvariant_text("[]"), Catch::Contains("empty array"));
  REQUIRE_THROWS_WITH(parse_gvariant_text("['a', 1]"), Catch::Contains("where 's' is required"));
  REQUIRE_THROWS_WITH(parse_gvariant_text("{'a': 1}"), Catch::Contains("dictionaries and variants"));
  REQUIRE_THROWS_WITH(parse_gvariant_text("<1>"), Catch::Contains("dictionaries and variants"));
  REQUIRE_THROWS_WITH(parse_gvariant_text("infinity"), Catch::Contains("'infinity' is not a GVariant value"));
  REQUIRE_THROWS_WITH(parse_gvariant_text("1 2"), Catch::Contains("unexpected text after the value"));
  REQUIRE_THROWS_WITH(parse_gvariant_text("@t 'x'"), Catch::Contains("a string where 't' is required"));
  REQUIRE_THROWS_WITH(parse_gvariant_text("@q5"), Catch::Contains("not a supported type"));
  REQUIRE_THROWS_WITH(parse_gvariant_text("objectpath 'x'"), Catch::Contains("does not start with /"));
}

TEST_CASE("property annotations: names, values and the Sec to USec conversion as runc makes them") {
  auto props = annotation_properties({{"org.systemd.property.TimeoutStopUSec", "uint64 123456789"},
                                      {"org.systemd.property.CollectMode", "'inactive-or-failed'"},
                                      {"org.systemd.property.RuntimeMaxSec", "90"},
                                      {"org.systemd.property.JobTimeoutSec", "1.5"},
                                      {"org.opencontainers.image.title", "not ours"},
                                      {"run.agentrt.profile", "agent-default"}});
  REQUIRE(props.size() == 4);
  // std::map order: CollectMode, JobTimeoutSec, RuntimeMaxSec, TimeoutStopUSec
  CHECK(props[0] == UnitProperty{"CollectMode", text("s", "inactive-or-failed")});
  CHECK(props[1] == UnitProperty{"JobTimeoutUSec", scalar("t", 1500000)});
  CHECK(props[2] == UnitProperty{"RuntimeMaxUSec", scalar("t", 90000000)});
  CHECK(props[3] == UnitProperty{"TimeoutStopUSec", scalar("t", 123456789)});
  // "USec" itself is not converted again: the letter before Sec must be lowercase.
  CHECK(annotation_properties({{"org.systemd.property.CPUSec", "uint64 7"}})[0] ==
        UnitProperty{"CPUSec", scalar("t", 7)});
  CHECK(annotation_properties({}).empty());
}

TEST_CASE("property annotations: a bad name or value names the annotation") {
  REQUIRE_THROWS_WITH(annotation_properties({{"org.systemd.property.Ab", "1"}}),
                      Catch::Contains("org.systemd.property.Ab name incorrect: too short"));
  REQUIRE_THROWS_WITH(annotation_properties({{"org.systemd.property.Memory_Max", "1"}}),
                      Catch::Contains("name incorrect: contains non-alphabetic character"));
  REQUIRE_THROWS_WITH(annotation_properties({{"org.systemd.property.MemoryMax", "lots"}}),
                      Catch::Contains("org.systemd.property.MemoryMax=lots value parse error"));
  REQUIRE_THROWS_WITH(annotation_properties({{"org.systemd.property.TimeoutStopSec", "'soon'"}}),
                      Catch::Contains("value parse error: not a number"));
  REQUIRE_THROWS_WITH(annotation_properties({{"org.systemd.property.TimeoutStopSec", "-1"}}),
                      Catch::Contains("negative number of seconds"));
}

TEST_CASE("dbus: an annotation's value goes on the wire with its own signature and alignment") {
  dbus::Body b;
  b.properties({{"TimeoutStopUSec", scalar("t", 5)}});
  // array length, pad to 8, "TimeoutStopUSec" (4+15+1 = 20 bytes, at 8), signature "t" (3 bytes, at 28),
  // pad to 32, the uint64.
  std::string expected = le32(32) + std::string(4, '\0') + le32(15) + std::string("TimeoutStopUSec\0", 16) +
                         std::string("\1t\0", 3) + std::string(1, '\0') + std::string("\5\0\0\0\0\0\0\0", 8);
  CHECK(b.bytes() == expected);

  dbus::Body tuples;
  tuples.properties({{"DeviceAllow", parse_gvariant_text("[('/dev/null', 'rw')]")}});
  dbus::Body fixed;
  fixed.properties({{"DeviceAllow", DeviceAllowList{{"/dev/null", "rw"}}}});
  CHECK(tuples.bytes() == fixed.bytes());  // the same bytes as the driver's own a(ss)

  dbus::Body words;
  words.properties({{"Wants", parse_gvariant_text("@as []")}, {"Nice", parse_gvariant_text("int16 -1")}});
  std::string msg = dbus::method_call({"d", "/p", "i", "m"}, words, 1);
  CHECK(dbus::parse_message(msg).body == words.bytes());
}
