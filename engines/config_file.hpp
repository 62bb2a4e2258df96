#pragma once
// Reading and replacing an engine's config file: the only part of engines/ that makes system calls.
#include <optional>
#include <string>

namespace agentrt::engines {

// The path to edit: symlinks resolved when the file exists (so the link stays a link).
std::string resolve_config_path(const std::string& path);
// nullopt when the file does not exist.
std::optional<std::string> read_config(const std::string& path);
// Writes a temp file in the same directory, gives it the old file's mode and owner (0644 root for a new
// file), fsyncs it, renames it over `path` and fsyncs the directory. The parent directory is created when
// missing. Nothing is left behind on failure.
void replace_config(const std::string& path, const std::string& text);
void remove_config(const std::string& path);

}  // namespace agentrt::engines
