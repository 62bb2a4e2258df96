#include "workspace/settings.hpp"

#include <nlohmann/json.hpp>

#include "oci/support/error.hpp"
#include "oci/support/fs.hpp"

namespace agentrt::workspace {
namespace {

std::string strip(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\n");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\n") - b + 1);
}

std::string without_trailing_slashes(std::string p) {
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  return p;
}

bool is_bind(const oci::Mount& m) {
  if (m.type == "bind") return true;
  for (const auto& o : m.options)
    if (o == "bind" || o == "rbind") return true;
  return false;
}

bool is_readonly(const oci::Mount& m) {
  bool ro = false;
  for (const auto& o : m.options) {
    if (o == "ro") ro = true;
    if (o == "rw") ro = false;
  }
  return ro;
}

// Options of the bind that mean nothing (or something else) on an overlay.
bool bind_only_option(const std::string& o) {
  return o == "bind" || o == "rbind" || o == "rw" || o == "private" || o == "rprivate" || o == "slave" ||
         o == "rslave" || o == "shared" || o == "rshared" || o == "unbindable" || o == "runbindable";
}

}  // namespace

std::string resolve_store(const std::string& flag, const std::optional<std::string>& config_text,
                          const std::string& config_path) {
  if (!flag.empty()) {
    if (flag[0] != '/') throw Error("--workspace-store " + flag + ": not an absolute path");
    return flag;
  }
  if (!config_text) return kDefaultStore;
  auto j = nlohmann::json::parse(*config_text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) throw Error(config_path + ": not a JSON object");
  if (!j.contains("workspaceStore")) return kDefaultStore;
  const auto& v = j["workspaceStore"];
  if (!v.is_string() || v.get<std::string>().empty() || v.get<std::string>()[0] != '/')
    throw Error(config_path + ": workspaceStore: must be an absolute path");
  return v.get<std::string>();
}

std::string store_root(const std::string& flag, const std::string& config_path) {
  return resolve_store(flag, fs::read_file_if_exists(config_path), config_path);
}

std::vector<std::string> parse_destinations(const std::string& list, const std::string& what) {
  std::vector<std::string> out;
  if (strip(list).empty()) return out;
  size_t start = 0;
  for (;;) {
    size_t comma = list.find(',', start);
    std::string item =
        strip(list.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (item.empty()) throw Error(what + ": empty destination in \"" + list + "\"");
    if (item[0] != '/') throw Error(what + ": destination \"" + item + "\" is not an absolute path");
    item = without_trailing_slashes(item);
    bool seen = false;
    for (const auto& o : out) seen = seen || o == item;
    if (!seen) out.push_back(item);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

std::vector<std::string> requested_destinations(const oci::Spec& spec, const std::string& flag) {
  std::vector<std::string> out;
  auto it = spec.annotations.find(kAnnotation);
  if (it != spec.annotations.end())
    out = parse_destinations(it->second, std::string("annotation ") + kAnnotation);
  for (const auto& d : parse_destinations(flag, "--workspace")) {
    bool seen = false;
    for (const auto& o : out) seen = seen || o == d;
    if (!seen) out.push_back(d);
  }
  return out;
}

Plan plan_workspace(const oci::Spec& spec, const std::vector<std::string>& destinations,
                    const std::string& store_root, const std::string& id, const std::string& bundle) {
  Plan plan;
  if (destinations.empty()) return plan;
  if (store_root.empty() || store_root[0] != '/')
    throw Error("workspace store \"" + store_root + "\": not an absolute path");
  plan.store_dir = fs::join(store_root, id);
  for (const auto& dest : destinations) {
    const std::string what = "workspace " + dest;
    size_t index = spec.mounts.size();
    for (size_t i = 0; i < spec.mounts.size(); ++i)
      if (without_trailing_slashes(spec.mounts[i].destination) == dest) index = i;
    if (index == spec.mounts.size()) throw Error(what + ": no mount in config.json has this destination");
    const oci::Mount& m = spec.mounts[index];
    const std::string field = what + " (mounts[" + std::to_string(index) + "])";
    if (!is_bind(m)) throw Error(field + ": type \"" + m.type + "\" is not a bind mount of a host directory");
    if (is_readonly(m)) throw Error(field + ": a read-only bind has nothing to review");
    std::string source = m.source;
    if (source.empty()) throw Error(field + ": the bind has no source");
    if (source[0] != '/') {
      if (bundle.empty()) throw Error(field + ": relative source " + source + " without a bundle");
      source = fs::join(bundle, source);
    }
    if (source.find_first_of(",:\\") != std::string::npos)
      throw Error(field + ": source " + source +
                  " holds ',', ':' or '\\', which overlay options cannot carry");
    plan.mounts.push_back(
        {index, m.destination, without_trailing_slashes(source), "m" + std::to_string(plan.mounts.size())});
  }
  return plan;
}

oci::Mount overlay_mount(const oci::Mount& bind, const std::string& upper, const std::string& work,
                         const std::string& lower) {
  oci::Mount m;
  m.destination = bind.destination;
  m.type = "overlay";
  m.source = "overlay";
  for (const auto& o : bind.options)
    if (!bind_only_option(o)) m.options.push_back(o);
  m.options.push_back("lowerdir=" + lower);
  m.options.push_back("upperdir=" + upper);
  m.options.push_back("workdir=" + work);
  for (const char* o : {"redirect_dir=off", "metacopy=off", "index=off"}) m.options.push_back(o);
  return m;
}

}  // namespace agentrt::workspace
