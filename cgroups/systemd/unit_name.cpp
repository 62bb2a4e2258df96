#include "cgroups/systemd/unit_name.hpp"

#include "cgroups/paths.hpp"
#include "oci/support/error.hpp"

namespace agentrt::cgroups::systemd {
namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() > suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

UnitName unit_name(const Config& cfg) {
  UnitName u;
  u.parent = "system.slice";
  std::string prefix = "runc", name = cfg.id;
  if (!cfg.cgroups_path.empty()) {
    const std::string& p = cfg.cgroups_path;
    size_t first = p.find(':');
    size_t second = first == std::string::npos ? first : p.find(':', first + 1);
    if (second == std::string::npos || p.find(':', second + 1) != std::string::npos)
      throw Error("expected cgroupsPath to be of format \"slice:prefix:name\" for systemd cgroups, got \"" +
                  p + "\" instead");
    if (first != 0) u.parent = p.substr(0, first);
    prefix = p.substr(first + 1, second - first - 1);
    name = p.substr(second + 1);
  }
  if (name.empty()) throw Error("systemd cgroupsPath " + cfg.cgroups_path + ": empty unit name");
  if (name.find('/') != std::string::npos)
    throw Error("systemd cgroupsPath " + cfg.cgroups_path + ": unit name " + name + " contains /");
  u.is_slice = ends_with(name, ".slice");
  if (u.is_slice) {
    // systemd places a slice by its own name whatever Wants= says: a-b.slice is /a.slice/a-b.slice.
    u.unit = name;
    u.path = expand_slice(name);
  } else {
    u.unit = (prefix.empty() ? name : prefix + "-" + name) + ".scope";
    u.path = clean_path(expand_slice(u.parent) + "/" + u.unit);
  }
  return u;
}

}  // namespace agentrt::cgroups::systemd
