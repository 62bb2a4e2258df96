#include "policy/settings.hpp"

#include <nlohmann/json.hpp>

#include "oci/support/error.hpp"
#include "oci/support/fs.hpp"
#include "policy/egress_rules.hpp"

namespace agentrt::policy {
namespace {

std::vector<std::string> split_list(const std::string& text, const std::string& source) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    size_t comma = text.find(',', start);
    std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    size_t b = item.find_first_not_of(" \t"), e = item.find_last_not_of(" \t");
    item = b == std::string::npos ? "" : item.substr(b, e - b + 1);
    if (item.empty()) throw Error(source + ": empty entry in \"" + text + "\"");
    out.push_back(item);
    if (comma == std::string::npos) return out;
    start = comma + 1;
  }
}

std::string normalize_path(const std::string& p, const std::string& source) {
  if (p.front() != '/') throw Error(source + ": \"" + p + "\" is not an absolute container path");
  std::string out;
  size_t i = 0;
  while (i < p.size()) {
    size_t next = p.find('/', i + 1);
    std::string part = p.substr(i + 1, next == std::string::npos ? std::string::npos : next - i - 1);
    if (part == "..") throw Error(source + ": \"" + p + "\" has a \"..\" component");
    if (!part.empty() && part != ".") out += "/" + part;
    if (next == std::string::npos) break;
    i = next;
  }
  return out.empty() ? "/" : out;
}

// The config file's value for key: a string (comma-separated) or an array of strings, joined.
std::optional<std::string> config_value(const nlohmann::json& config, const std::string& key,
                                        const std::string& source) {
  if (!config.is_object() || !config.contains(key)) return std::nullopt;
  const auto& v = config.at(key);
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (!v.is_array() || v.empty()) throw Error(source + ": expected a string or a non-empty array of strings");
  std::string joined;
  for (const auto& item : v) {
    if (!item.is_string()) throw Error(source + ": expected a string or a non-empty array of strings");
    joined += (joined.empty() ? "" : ",") + item.get<std::string>();
  }
  return joined;
}

nlohmann::json read_config(const std::string& path) {
  auto text = fs::read_file_if_exists(path);
  if (!text) return nullptr;
  try {
    return nlohmann::json::parse(*text);
  } catch (const nlohmann::json::exception& e) {
    throw Error(path + ": " + e.what());
  }
}

using Parser = std::vector<std::string> (*)(const std::string&, const std::string&);

std::vector<std::string> parse_egress_list(const std::string& text, const std::string& source) {
  std::vector<std::string> entries = split_list(text, source);
  parse_egress(entries, source);  // throws on a malformed entry
  return entries;
}

std::vector<std::string> parse_switch(const std::string& text, const std::string& source) {
  if (text != "true" && text != "false")
    throw Error(source + ": expected true or false, not \"" + text + "\"");
  return {text};
}

// The first source that has the setting: annotation, flag, config file.
Setting resolve_one(const std::map<std::string, std::string>& annotations, const char* annotation,
                    const std::string& flag_value, const char* flag_name, const nlohmann::json& config,
                    const std::string& config_path, const std::string& config_key, Parser parse) {
  Setting s;
  std::optional<std::string> text;
  if (auto it = annotations.find(annotation); it != annotations.end()) {
    s.source = std::string("annotation ") + annotation;
    text = it->second;
  } else if (!flag_value.empty()) {
    s.source = flag_name;
    text = flag_value;
  } else {
    s.source = config_path + ": " + config_key;
    text = config_value(config, config_key, s.source);
  }
  if (!text) return {};
  s.set = s.explicit_request = true;
  s.values = parse(*text, s.source);
  return s;
}

}  // namespace

std::vector<std::string> parse_path_list(const std::string& text, const std::string& source) {
  if (text == "none") return {};
  std::vector<std::string> out;
  for (const auto& item : split_list(text, source)) out.push_back(normalize_path(item, source));
  return out;
}

Settings resolve_settings(const std::map<std::string, std::string>& annotations, const SettingFlags& flags,
                          const ProfileDefaults& defaults, const std::string& config_path) {
  nlohmann::json config = read_config(config_path);
  Settings s;
  s.fs_write = resolve_one(annotations, kFsWriteAnnotation, flags.fs_write, "--fs-write", config, config_path,
                           "fs.write", parse_path_list);
  s.fs_read = resolve_one(annotations, kFsReadAnnotation, flags.fs_read, "--fs-read", config, config_path,
                          "fs.read", parse_path_list);
  s.egress = resolve_one(annotations, kEgressAnnotation, flags.egress, "--egress", config, config_path,
                         "net.egress", parse_egress_list);
  s.audit = resolve_one(annotations, kAuditAnnotation, flags.audit,
                        flags.audit == "false" ? "--no-audit" : "--audit", config, config_path, "audit",
                        parse_switch);
  if (!defaults.set) return s;
  if (!s.audit.set && defaults.audit) s.audit = {true, false, defaults.profile, {"true"}};
  if (!s.fs_write.set) s.fs_write = {true, false, defaults.profile, defaults.fs_write};
  if (!s.egress.set && !defaults.egress.empty())
    s.egress = {true, false, defaults.profile, parse_egress_list(defaults.egress, defaults.profile)};
  return s;
}

bool audit_on(const Settings& s) {
  return s.audit.set && s.audit.values == std::vector<std::string>{"true"};
}

std::vector<std::string> locked_write_paths(const std::string& cwd, const std::string& home) {
  std::vector<std::string> out = {"/tmp", "/var/tmp", "/dev/shm"};
  for (const auto& p : {cwd, home}) {
    if (p.empty() || p.front() != '/') continue;
    std::string n = normalize_path(p, "process");
    bool seen = false;
    for (const auto& o : out) seen |= o == n;
    if (n != "/" && !seen) out.push_back(n);
  }
  return out;
}

}  // namespace agentrt::policy
