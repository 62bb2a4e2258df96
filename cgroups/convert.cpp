#include <cmath>

#include "cgroups/plan.hpp"
#include "oci/support/error.hpp"

namespace agentrt::cgroups {

uint64_t shares_to_weight(uint64_t shares) {
  if (shares == 0) return 0;
  if (shares <= 2) return 1;
  if (shares >= 262144) return 10000;
  // log2 scale: 2 -> 1, 1024 -> 100, 262144 -> 10000, with a quadratic term fitted through those points.
  double l = std::log2(static_cast<double>(shares));
  double exponent = (l * l + 125.0 * l) / 612.0 - 7.0 / 34.0;
  return static_cast<uint64_t>(std::ceil(std::pow(10.0, exponent)));
}

uint64_t blkio_weight_to_io_weight(uint64_t weight) {
  if (weight == 0) return 0;
  return 1 + (weight - 10) * 9999 / 990;
}

std::string v2_swap_value(int64_t swap, int64_t limit) {
  if (swap == -1) return "max";
  if (swap == 0) return "";
  if (limit == 0 || limit == -1)
    throw Error("linux.resources.memory.swap: unable to set swap limit without memory limit");
  if (limit < 0) throw Error("linux.resources.memory.limit: invalid memory value " + std::to_string(limit));
  if (swap < limit)
    throw Error("linux.resources.memory.swap: memory+swap limit (" + std::to_string(swap) +
                ") should be greater than or equal to the memory limit (" + std::to_string(limit) + ")");
  return std::to_string(swap - limit);
}

std::string rdma_value(const std::string& device, const oci::RdmaLimit& lim) {
  std::string v = device;
  if (lim.hca_handles) v += " hca_handle=" + std::to_string(*lim.hca_handles);
  if (lim.hca_objects) v += " hca_object=" + std::to_string(*lim.hca_objects);
  return v;
}

std::string device_rule_string(const oci::DeviceCgroupRule& rule) {
  auto num = [](const std::optional<int64_t>& v) {
    return v && *v >= 0 ? std::to_string(*v) : std::string("*");
  };
  std::string type = rule.type.empty() ? "a" : rule.type;
  std::string access = rule.access.empty() ? "rwm" : rule.access;
  if (type == "a" && !rule.major && !rule.minor && access == "rwm") return "a";
  return type + " " + num(rule.major) + ":" + num(rule.minor) + " " + access;
}

}  // namespace agentrt::cgroups
