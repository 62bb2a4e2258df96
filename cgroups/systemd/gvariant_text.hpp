#pragma once
// A D-Bus value written in GVariant's text format, as runc reads the values of its org.systemd.property.*
// annotations (godbus's ParseVariant with no expected type): "uint64 123", "'inactive-or-failed'", "true",
// "42" (int32), "1.5" (double), "['a', 'b']", "[('/dev/null', 'rw')]", "@as []". Pure.
//
// Written by hand: no allowed library parses GVariant text. Supported: booleans, the integer types, double,
// strings, object paths and signatures, arrays and tuples of those, type keywords (byte int16 uint16 int32
// uint32 int64 uint64 double boolean string objectpath signature) and @TYPE annotations. Dictionaries and
// variants inside a value (`{}`, `<>`) are refused by name.
#include <cstdint>
#include <string>
#include <vector>

namespace agentrt::cgroups::systemd {

struct DbusValue {
  std::string signature;         // one complete D-Bus type: "t", "s", "as", "a(ss)" ...
  uint64_t bits = 0;             // y n q i u x t (two's complement), b (0/1), d (the double's bit pattern)
  std::string text;              // s o g
  std::vector<DbusValue> items;  // an array's elements or a tuple's fields
  bool operator==(const DbusValue&) const = default;
};

// Throws Error naming what is wrong and where (the offset in text).
DbusValue parse_gvariant_text(const std::string& text);

}  // namespace agentrt::cgroups::systemd
