#pragma once
// The filesystem and egress settings of a container, each from the first source that has it: the container's
// annotation, the runtime's global flag, the config file, then the profile's default. Pure: no system calls
// but reading the config file.
#include <map>
#include <string>
#include <vector>

namespace agentrt::policy {

constexpr const char* kFsWriteAnnotation = "run.agentrt.fs.write";
constexpr const char* kFsReadAnnotation = "run.agentrt.fs.read";
constexpr const char* kEgressAnnotation = "run.agentrt.net.egress";
constexpr const char* kAuditAnnotation = "run.agentrt.audit";

// The global flags --fs-write, --fs-read, --egress as given ("" when absent); audit is "true" for --audit,
// "false" for --no-audit.
struct SettingFlags {
  std::string fs_write;
  std::string fs_read;
  std::string egress;
  std::string audit;
};

// What the profile asks when nothing else does (agent-locked: writes under its working places, egress none).
struct ProfileDefaults {
  std::string profile;  // for the record: "profile agent-locked"
  bool set = false;
  std::vector<std::string> fs_write;
  std::string egress;  // "" = no default
  bool audit = false;
};

struct Setting {
  bool set = false;
  bool explicit_request = false;  // from an annotation, flag or config file (not a profile default)
  std::string source;             // "annotation run.agentrt.fs.write", "--fs-write", "<config>: fs.write" ...
  std::vector<std::string> values;  // normalized paths, egress entries as written, or {"true"}/{"false"}
};

struct Settings {
  Setting fs_write;
  Setting fs_read;
  Setting egress;
  Setting audit;
};

// Whether the audit setting asks for the audit trail.
bool audit_on(const Settings& s);

// Comma-separated absolute container paths, normalized ("//" and trailing "/" removed); "none" is the empty
// list. Throws Error naming `source` on an empty entry, a relative path or a ".." component.
std::vector<std::string> parse_path_list(const std::string& text, const std::string& source);

// The config file may hold "fs.write", "fs.read" and "net.egress", each a string (comma-separated) or an
// array of strings, and "audit", true or false; a missing file is fine.
Settings resolve_settings(const std::map<std::string, std::string>& annotations, const SettingFlags& flags,
                          const ProfileDefaults& defaults, const std::string& config_path);

// agent-locked's write list: /tmp, /var/tmp, /dev/shm, the process's cwd and $HOME, each only when not "/".
std::vector<std::string> locked_write_paths(const std::string& cwd, const std::string& home);

}  // namespace agentrt::policy
