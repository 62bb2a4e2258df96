#include "cgroups/systemd/property_annotations.hpp"

#include <cstring>
#include <limits>

#include "oci/support/error.hpp"

namespace agentrt::cgroups::systemd {
namespace {

// runc's checkPropertyName.
std::string name_problem(const std::string& name) {
  if (name.size() < 3) return "too short";
  for (char c : name)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) return "contains non-alphabetic character";
  return "";
}

// Seconds in any numeric type -> microseconds as uint64 (runc's convertSecToUSec). A negative number of
// seconds is refused (runc would wrap it to a huge timeout).
DbusValue seconds_to_usec(const DbusValue& v) {
  constexpr uint64_t kMicro = 1000000;
  const std::string& sig = v.signature;
  uint64_t usec = 0;
  if (sig == "d") {
    double seconds;
    std::memcpy(&seconds, &v.bits, sizeof seconds);
    if (!(seconds >= 0) || seconds * kMicro >= static_cast<double>(std::numeric_limits<uint64_t>::max()))
      throw Error("not a number of seconds in range");
    usec = static_cast<uint64_t>(seconds * kMicro);
  } else if (sig.size() == 1 && std::strchr("ynqiuxt", sig[0])) {
    bool is_signed = sig == "n" || sig == "i" || sig == "x";
    if (is_signed && static_cast<int64_t>(v.bits) < 0) throw Error("a negative number of seconds");
    if (v.bits > std::numeric_limits<uint64_t>::max() / kMicro) throw Error("too many seconds");
    usec = v.bits * kMicro;
  } else {
    throw Error("not a number");
  }
  return DbusValue{"t", usec, "", {}};
}

}  // namespace

std::vector<UnitProperty> annotation_properties(const std::map<std::string, std::string>& annotations) {
  std::vector<UnitProperty> out;
  const std::string prefix = kPropertyAnnotationPrefix;
  for (const auto& [key, text] : annotations) {
    if (key.compare(0, prefix.size(), prefix) != 0) continue;
    std::string name = key.substr(prefix.size());
    if (std::string problem = name_problem(name); !problem.empty())
      throw Error("annotations: " + key + " name incorrect: " + problem, EINVAL);
    try {
      DbusValue value = parse_gvariant_text(text);
      if (name.size() > 3 && name.compare(name.size() - 3, 3, "Sec") == 0 && name[name.size() - 4] >= 'a' &&
          name[name.size() - 4] <= 'z') {
        name = name.substr(0, name.size() - 3) + "USec";
        value = seconds_to_usec(value);
      }
      out.push_back({name, std::move(value)});
    } catch (const Error& e) {
      throw Error("annotations: " + key + "=" + text + " value parse error: " + e.what(), EINVAL);
    }
  }
  return out;
}

}  // namespace agentrt::cgroups::systemd
