#pragma once
// Small file helpers shared by every module. Errors name the path and the errno text.
#include <optional>
#include <string>

namespace agentrt::fs {

std::string read_file(const std::string& path);
// nullopt when the file does not exist; other errors throw.
std::optional<std::string> read_file_if_exists(const std::string& path);
// Writes without O_CREAT|O_TRUNC semantics surprises: for cgroup and proc files (O_WRONLY only).
void write_existing(const std::string& path, const std::string& data);
// Creates or truncates.
void write_file(const std::string& path, const std::string& data, unsigned mode = 0644);
// Write to a temp file in the same directory, then rename(2) over path.
void write_file_atomic(const std::string& path, const std::string& data, unsigned mode = 0600);
bool exists(const std::string& path);
// mkdir -p; returns nothing, throws on failure other than EEXIST.
void mkdir_all(const std::string& path, unsigned mode = 0755);
// Joins two paths with exactly one '/' between them.
std::string join(const std::string& a, const std::string& b);
// Removes trailing whitespace/newlines.
std::string trim(const std::string& s);

}  // namespace agentrt::fs
