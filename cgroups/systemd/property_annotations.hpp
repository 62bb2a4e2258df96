#pragma once
// org.systemd.property.<Name> annotations as runc reads them (its specconv initSystemdProps): Name is at
// least three latin letters; the value is GVariant text (gvariant_text.hpp); a Name ending in a lowercase
// letter then "Sec" (TimeoutStopSec) is a number of seconds and becomes <Name minus Sec>USec in
// microseconds (uint64). The properties are sent with StartTransientUnit after agentrt's own, so they win
// over those (as in runc); linux.resources are applied after the start and win over them. Pure.
#include <map>
#include <string>
#include <vector>

#include "cgroups/systemd/unit_properties.hpp"

namespace agentrt::cgroups::systemd {

inline constexpr const char* kPropertyAnnotationPrefix = "org.systemd.property.";

// Throws Error naming the annotation (and runc's reason) for a bad name or value.
std::vector<UnitProperty> annotation_properties(const std::map<std::string, std::string>& annotations);

}  // namespace agentrt::cgroups::systemd
