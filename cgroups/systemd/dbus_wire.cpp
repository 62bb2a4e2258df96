#include "cgroups/systemd/dbus_wire.hpp"

#include <cstring>

#include "oci/support/error.hpp"

namespace agentrt::cgroups::systemd::dbus {
namespace {

// Appends values at their D-Bus alignment, counted from the start of the buffer.
class Writer {
 public:
  explicit Writer(std::string& out) : out_(out) {}
  void align(size_t n) {
    while (out_.size() % n) out_.push_back('\0');
  }
  void u8(uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void u16(uint16_t v) {
    align(2);
    raw(&v, 2);
  }
  void u32(uint32_t v) {
    align(4);
    raw(&v, 4);
  }
  void u64(uint64_t v) {
    align(8);
    raw(&v, 8);
  }
  void str(const std::string& s) {  // s and o
    u32(static_cast<uint32_t>(s.size()));
    out_ += s;
    out_.push_back('\0');
  }
  void sig(const std::string& s) {  // g
    u8(static_cast<uint8_t>(s.size()));
    out_ += s;
    out_.push_back('\0');
  }
  // An array: the length is patched in by end_array(); elements start at their own alignment.
  size_t begin_array(size_t element_alignment) {
    u32(0);
    size_t length_at = out_.size() - 4;
    align(element_alignment);
    starts_.push_back(out_.size());
    return length_at;
  }
  void end_array(size_t length_at) {
    uint32_t len = static_cast<uint32_t>(out_.size() - starts_.back());
    starts_.pop_back();
    std::memcpy(&out_[length_at], &len, 4);
  }

 private:
  void raw(const void* p, size_t n) { out_.append(static_cast<const char*>(p), n); }
  std::string& out_;
  std::vector<size_t> starts_;
};

class Reader {
 public:
  Reader(const std::string& in, size_t pos = 0) : in_(in), pos_(pos) {}
  void align(size_t n) {
    while (pos_ % n) ++pos_;
    need(0);
  }
  uint8_t u8() {
    need(1);
    return static_cast<uint8_t>(in_[pos_++]);
  }
  uint32_t u32() {
    align(4);
    need(4);
    uint32_t v;
    std::memcpy(&v, &in_[pos_], 4);
    pos_ += 4;
    return v;
  }
  std::string str() {
    uint32_t n = u32();
    need(size_t{n} + 1);
    std::string s = in_.substr(pos_, n);
    pos_ += n + 1;
    return s;
  }
  std::string sig() {
    uint8_t n = u8();
    need(size_t{n} + 1);
    std::string s = in_.substr(pos_, n);
    pos_ += n + 1;
    return s;
  }
  size_t pos() const { return pos_; }
  void skip_to(size_t p) {
    pos_ = p;
    need(0);
  }

 private:
  void need(size_t n) const {
    if (pos_ + n > in_.size()) throw Error("D-Bus message from systemd: truncated");
  }
  const std::string& in_;
  size_t pos_;
};

size_t alignment(char type) {
  switch (type) {
    case 'y':
    case 'g':
      return 1;
    case 'n':
    case 'q':
      return 2;
    case 'x':
    case 't':
    case 'd':
    case '(':
    case '{':
      return 8;
    default:
      return 4;  // b i u s o a
  }
}

// A value parsed from GVariant text, at the alignment its signature asks.
void write_value(Writer& w, const DbusValue& v) {
  switch (v.signature.at(0)) {
    case 'y':
      w.u8(static_cast<uint8_t>(v.bits));
      break;
    case 'n':
    case 'q':
      w.u16(static_cast<uint16_t>(v.bits));
      break;
    case 'b':
    case 'i':
    case 'u':
      w.u32(static_cast<uint32_t>(v.bits));
      break;
    case 'x':
    case 't':
    case 'd':
      w.u64(v.bits);
      break;
    case 's':
    case 'o':
      w.str(v.text);
      break;
    case 'g':
      w.sig(v.text);
      break;
    case 'a': {
      size_t at = w.begin_array(alignment(v.signature.at(1)));
      for (const auto& item : v.items) write_value(w, item);
      w.end_array(at);
      break;
    }
    case '(':
      w.align(8);
      for (const auto& field : v.items) write_value(w, field);
      break;
    default:
      throw Error("D-Bus value of type '" + v.signature + "' cannot be sent");
  }
}

void write_variant(Writer& w, const PropertyValue& value) {
  std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, bool>) {
          w.sig("b");
          w.u32(x ? 1 : 0);
        } else if constexpr (std::is_same_v<T, uint64_t>) {
          w.sig("t");
          w.u64(x);
        } else if constexpr (std::is_same_v<T, std::string>) {
          w.sig("s");
          w.str(x);
        } else if constexpr (std::is_same_v<T, std::vector<uint32_t>>) {
          w.sig("au");
          size_t at = w.begin_array(4);
          for (uint32_t v : x) w.u32(v);
          w.end_array(at);
        } else if constexpr (std::is_same_v<T, std::vector<uint8_t>>) {
          w.sig("ay");
          size_t at = w.begin_array(1);
          for (uint8_t v : x) w.u8(v);
          w.end_array(at);
        } else if constexpr (std::is_same_v<T, DbusValue>) {
          w.sig(x.signature);
          write_value(w, x);
        } else {
          w.sig("a(ss)");
          size_t at = w.begin_array(8);
          for (const auto& [path, access] : x) {
            w.align(8);
            w.str(path);
            w.str(access);
          }
          w.end_array(at);
        }
      },
      value);
}

enum Field : uint8_t {
  kPath = 1,
  kInterface = 2,
  kMember = 3,
  kErrorName = 4,
  kReplySerial = 5,
  kDestination = 6,
  kSignature = 8
};

void header_field(Writer& w, Field code, const std::string& type, const std::string& value) {
  w.align(8);
  w.u8(code);
  w.sig(type);
  if (type == "g")
    w.sig(value);
  else
    w.str(value);
}

}  // namespace

Body& Body::str(const std::string& s) {
  Writer(bytes_).str(s);
  signature_ += "s";
  return *this;
}

Body& Body::boolean(bool b) {
  Writer(bytes_).u32(b ? 1 : 0);
  signature_ += "b";
  return *this;
}

Body& Body::properties(const std::vector<UnitProperty>& props) {
  Writer w(bytes_);
  size_t at = w.begin_array(8);
  for (const auto& p : props) {
    w.align(8);
    w.str(p.name);
    write_variant(w, p.value);
  }
  w.end_array(at);
  signature_ += "a(sv)";
  return *this;
}

Body& Body::empty_aux_units() {
  Writer w(bytes_);
  w.end_array(w.begin_array(8));
  signature_ += "a(sa(sv))";
  return *this;
}

std::string method_call(const Call& call, const Body& body, uint32_t serial) {
  std::string msg;
  Writer w(msg);
  w.u8('l');
  w.u8(Message::method_call);
  w.u8(0);  // flags: a reply is expected
  w.u8(1);  // protocol version
  w.u32(static_cast<uint32_t>(body.bytes().size()));
  w.u32(serial);
  size_t at = w.begin_array(8);
  header_field(w, kPath, "o", call.path);
  header_field(w, kInterface, "s", call.interface);
  header_field(w, kMember, "s", call.member);
  header_field(w, kDestination, "s", call.destination);
  if (!body.signature().empty()) header_field(w, kSignature, "g", body.signature());
  w.end_array(at);
  w.align(8);
  return msg + body.bytes();
}

size_t message_size(const std::string& first16) {
  if (first16.size() < 16) throw Error("D-Bus message from systemd: short header");
  if (first16[0] != 'l') throw Error("D-Bus message from systemd: not little-endian");
  uint32_t body_len, fields_len;
  std::memcpy(&body_len, &first16[4], 4);
  std::memcpy(&fields_len, &first16[12], 4);
  if (body_len > (64u << 20) || fields_len > (64u << 20))
    throw Error("D-Bus message from systemd: too large");
  size_t header = 16 + fields_len;
  header = (header + 7) / 8 * 8;
  return header + body_len;
}

Message parse_message(const std::string& bytes) {
  size_t total = message_size(bytes);
  if (bytes.size() < total) throw Error("D-Bus message from systemd: truncated");
  Message m;
  m.type = static_cast<uint8_t>(bytes[1]);
  Reader r(bytes, 12);
  uint32_t fields_len = r.u32();
  size_t fields_end = 16 + fields_len;
  while (r.pos() < fields_end) {
    r.align(8);
    uint8_t code = r.u8();
    std::string type = r.sig();
    std::string value;
    uint32_t number = 0;
    if (type == "s" || type == "o")
      value = r.str();
    else if (type == "g")
      value = r.sig();
    else if (type == "u")
      number = r.u32();
    else
      throw Error("D-Bus message from systemd: header field of type " + type);
    if (code == kMember) m.member = value;
    if (code == kErrorName) m.error_name = value;
    if (code == kSignature) m.signature = value;
    if (code == kReplySerial) m.reply_serial = number;
  }
  r.skip_to(fields_end);
  r.align(8);
  m.body = bytes.substr(r.pos(), total - r.pos());
  return m;
}

std::string read_object_path(const Message& m) {
  if (m.signature != "o")
    throw Error("D-Bus reply from systemd: expected an object path, got signature " + m.signature);
  return Reader(m.body).str();
}

std::string read_string_variant(const Message& m) {
  Reader r(m.body);
  std::string type = m.signature == "v" ? r.sig() : "";
  if (type != "s")
    throw Error("D-Bus reply from systemd: expected a string variant, got signature " + m.signature +
                (type.empty() ? "" : " holding " + type));
  return r.str();
}

std::string read_error_text(const Message& m) {
  if (m.signature.empty() || m.signature[0] != 's') return m.error_name;
  return Reader(m.body).str();
}

std::optional<JobRemoved> read_job_removed(const Message& m) {
  if (m.type != Message::signal || m.member != "JobRemoved" || m.signature != "uoss") return std::nullopt;
  Reader r(m.body);
  JobRemoved j;
  j.id = r.u32();
  j.job = r.str();
  j.unit = r.str();
  j.result = r.str();
  return j;
}

}  // namespace agentrt::cgroups::systemd::dbus
