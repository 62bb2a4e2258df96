#pragma once
// The D-Bus wire format, only as far as the systemd driver needs it: method calls whose bodies are strings,
// booleans and a(sv) unit properties, and the replies, errors and JobRemoved signals systemd sends back.
//
// Written by hand because agentrt is linked statically and Debian ships libsystemd (sd-bus) only as a
// shared library; none of the allowed libraries speaks D-Bus. Little-endian messages only (the peer is
// systemd on the same host). Pure: bytes in, bytes out.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cgroups/systemd/unit_properties.hpp"

namespace agentrt::cgroups::systemd::dbus {

// A method call's body, built from the arguments in order; signature() is the body's D-Bus signature.
class Body {
 public:
  Body& str(const std::string& s);
  Body& boolean(bool b);
  Body& properties(const std::vector<UnitProperty>& props);  // a(sv)
  Body& empty_aux_units();                                   // a(sa(sv)) with no element
  const std::string& bytes() const { return bytes_; }
  const std::string& signature() const { return signature_; }

 private:
  std::string bytes_, signature_;
};

struct Call {
  std::string destination, path, interface, member;
};

// A whole method-call message with the given serial.
std::string method_call(const Call& call, const Body& body, uint32_t serial);

// One received message, decoded as far as the driver reads them.
struct Message {
  enum Type : uint8_t { method_call = 1, method_return = 2, error = 3, signal = 4 };
  uint8_t type = 0;
  uint32_t reply_serial = 0;
  std::string member, error_name, signature;
  std::string body;  // raw, aligned from its start
};

// Bytes a message takes in total once its first 16 bytes are known; throws on a malformed header.
size_t message_size(const std::string& first16);
Message parse_message(const std::string& bytes);

// Body readers for the signatures the driver receives.
std::string read_object_path(const Message& m);     // "o": a job or a unit
std::string read_string_variant(const Message& m);  // "v" holding "s" (Properties.Get of a string)
std::string read_error_text(const Message& m);      // "s..." of an error, or the error's name
struct JobRemoved {
  uint32_t id = 0;
  std::string job, unit, result;
};
std::optional<JobRemoved> read_job_removed(const Message& m);  // signal JobRemoved "uoss"

}  // namespace agentrt::cgroups::systemd::dbus
