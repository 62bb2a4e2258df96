#include "policy/landlock_plan.hpp"

#include "oci/support/error.hpp"

namespace agentrt::policy {
namespace {

namespace la = landlock_access;

constexpr const char* kRightNames[] = {"execute",    "write_file",  "read_file", "read_dir",
                                       "remove_dir", "remove_file", "make_char", "make_dir",
                                       "make_reg",   "make_sock",   "make_fifo", "make_block",
                                       "make_sym",   "refer",       "truncate",  "ioctl_dev"};

uint64_t access_from_names(const nlohmann::json& names) {
  uint64_t access = 0;
  for (const auto& n : names)
    for (size_t i = 0; i < std::size(kRightNames); ++i)
      if (n == kRightNames[i]) access |= 1ULL << i;
  return access;
}

// Device nodes every process writes or ioctls (shells redirect to /dev/null, terminals need their ioctls):
// usable whatever the write list says. Creating or removing anything under /dev still needs /dev in it.
constexpr const char* kDeviceFiles[] = {"/dev/null",    "/dev/zero", "/dev/full", "/dev/random",
                                        "/dev/urandom", "/dev/tty",  "/dev/ptmx", "/dev/console"};

void require_honoured(const Setting& s, const std::string& why) {
  if (s.set && s.explicit_request) throw Error(s.source + ": " + why);
}

}  // namespace

std::vector<std::string> access_names(uint64_t access) {
  std::vector<std::string> out;
  for (size_t i = 0; i < std::size(kRightNames); ++i)
    if (access & (1ULL << i)) out.push_back(kRightNames[i]);
  return out;
}

uint64_t fs_rights_of_abi(int abi) {
  if (abi <= 0) return 0;
  if (abi == 1) return (la::refer - 1);
  if (abi == 2) return (la::truncate - 1);
  if (abi <= 4) return (la::ioctl_dev - 1);
  return (la::ioctl_dev << 1) - 1;
}

std::optional<LandlockPlan> plan_landlock(const Settings& settings, int abi, PrivateNamespaces own) {
  const Setting& w = settings.fs_write;
  const Setting& r = settings.fs_read;
  if (!w.set && !r.set) return std::nullopt;
  if (abi <= 0) {
    const std::string why =
        "the kernel has no Landlock (disabled or older than 5.13): the filesystem "
        "policy cannot be enforced";
    require_honoured(w, why);
    require_honoured(r, why);
  }
  if (abi > 0 && abi < 3)
    require_honoured(w, "the kernel's Landlock ABI " + std::to_string(abi) +
                            " cannot stop truncate(2) outside the write list (needs ABI 3, Linux 6.2)");

  LandlockPlan plan;
  plan.abi = abi;
  plan.write_paths = w.values;
  plan.write_source = w.set ? w.source : "";
  plan.read_paths = r.values;
  plan.read_limited = r.set;
  plan.read_source = r.set ? r.source : "";
  if (abi <= 0) {
    plan.left_out.push_back("everything: the kernel has no Landlock");
    return plan;
  }
  const uint64_t offered = fs_rights_of_abi(abi);
  // Only fs.read asked: writes stay as they were (no write right handled); with fs.write every right the ABI
  // offers is handled and reads are granted everywhere unless fs.read limits them.
  plan.handled_fs = w.set ? offered : (offered & la::read_rights);
  if (r.set) plan.handled_fs |= offered & la::read_rights;
  if (w.set) {
    if (abi < 2) plan.left_out.push_back("refer (ABI 2): every rename or link across directories is denied");
    if (abi < 3) plan.left_out.push_back("truncate (ABI 3): truncate(2) is not limited to the write list");
    if (abi < 5) plan.left_out.push_back("ioctl_dev (ABI 5): ioctl on device files is not limited");
  }
  if (abi >= 6) {
    if (own.net)
      plan.unscoped.push_back("abstract_unix_socket: the container has its own network namespace");
    else
      plan.scoped |= la::scope_abstract_unix_socket;
    if (own.pid)
      plan.unscoped.push_back("signal: the container has its own pid namespace");
    else
      plan.scoped |= la::scope_signal;
  } else
    plan.left_out.push_back(
        "scopes (ABI 6): abstract unix sockets and signals outside the container are "
        "not scoped");

  const uint64_t read_access = plan.handled_fs & la::read_rights;
  if (!r.set && read_access) plan.rules.push_back({"/", read_access});
  for (const auto& p : r.values) plan.rules.push_back({p, read_access});
  const uint64_t device_access = plan.handled_fs & (la::read_file | la::write_file | la::ioctl_dev);
  for (const char* dev : kDeviceFiles) plan.rules.push_back({dev, device_access});
  plan.rules.push_back({"/dev/pts", device_access});
  for (const auto& p : w.values) plan.rules.push_back({p, plan.handled_fs});
  return plan;
}

nlohmann::json LandlockPlan::to_json() const {
  nlohmann::json rules_json = nlohmann::json::array();
  for (const auto& r : rules) rules_json.push_back({{"path", r.path}, {"access", access_names(r.access)}});
  nlohmann::json scopes = nlohmann::json::array();
  if (scoped & la::scope_abstract_unix_socket) scopes.push_back("abstract_unix_socket");
  if (scoped & la::scope_signal) scopes.push_back("signal");
  nlohmann::json j = {{"abi", abi},
                      {"write", write_paths},
                      {"read", read_limited ? nlohmann::json(read_paths) : nlohmann::json("*")},
                      {"handled", access_names(handled_fs)},
                      {"scopes", scopes},
                      {"notScoped", unscoped},
                      {"leftOut", left_out},
                      {"rules", rules_json}};
  if (!write_source.empty()) j["writeSetBy"] = write_source;
  if (!read_source.empty()) j["readSetBy"] = read_source;
  return j;
}

LandlockPlan LandlockPlan::from_json(const nlohmann::json& j) {
  LandlockPlan plan;
  try {
    plan.abi = j.at("abi").get<int>();
    plan.write_paths = j.at("write").get<std::vector<std::string>>();
    plan.read_limited = j.at("read").is_array();
    if (plan.read_limited) plan.read_paths = j.at("read").get<std::vector<std::string>>();
    plan.handled_fs = access_from_names(j.at("handled"));
    for (const auto& s : j.at("scopes"))
      plan.scoped |= s == "signal" ? la::scope_signal : la::scope_abstract_unix_socket;
    plan.left_out = j.at("leftOut").get<std::vector<std::string>>();
    plan.unscoped = j.value("notScoped", std::vector<std::string>{});
    for (const auto& r : j.at("rules"))
      plan.rules.push_back({r.at("path").get<std::string>(), access_from_names(r.at("access"))});
    plan.write_source = j.value("writeSetBy", "");
    plan.read_source = j.value("readSetBy", "");
  } catch (const nlohmann::json::exception& e) {
    throw Error(std::string("filesystem policy record: ") + e.what());
  }
  return plan;
}

}  // namespace agentrt::policy
