#pragma once
// Small text and file helpers shared by the integration tests.
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace itest {

namespace stdfs = std::filesystem;

std::string read_text(const stdfs::path& p);
void write_text(const stdfs::path& p, const std::string& content);
std::vector<std::string> split_lines(const std::string& s);
// The key=value lines of a text (the first '=' splits; other lines are ignored), as the probe scripts print.
std::map<std::string, std::string> key_values(const std::string& text);
std::string trim(std::string s);
bool contains(const std::string& hay, const std::string& needle);
// The runtime's text log quotes msg="..." with \" inside: the same text with \" turned back into ".
std::string unescape_quotes(const std::string& log_text);
// The value of "Field:" in a /proc/<pid>/status text.
std::optional<std::string> status_field(const std::string& status, const std::string& field);
// The hex value of field (CapEff, CapBnd, ...) in a /proc/<pid>/status text.
std::optional<unsigned long long> status_hex(const std::string& status, const std::string& field);
// "<prefix>-<tag>-<pid>-<counter>-<random>": unique across parallel runs and tests.
std::string unique_id(const std::string& prefix, const std::string& tag);

}  // namespace itest
