#include "engines/docker_config.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "oci/support/error.hpp"

namespace agentrt::engines {
namespace {

using Json = nlohmann::ordered_json;

size_t line_of_offset(const std::string& text, size_t offset) {
  offset = std::min(offset, text.size());
  return 1 + std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(offset), '\n');
}

bool blank(const std::string& text) {
  return text.find_first_not_of(" \t\r\n") == std::string::npos;
}

Json parse_object(const std::optional<std::string>& text, const std::string& file) {
  if (!text || blank(*text)) return Json::object();
  Json doc;
  try {
    doc = Json::parse(*text);
  } catch (const Json::parse_error& e) {
    // e.byte is 1-based and points just past the offending character.
    size_t at = e.byte > 0 ? e.byte - 1 : 0;
    throw Error(file + ":" + std::to_string(line_of_offset(*text, at)) + ": not valid JSON: " + e.what());
  }
  if (!doc.is_object()) throw Error(file + ":1: the top level is not a JSON object");
  if (doc.contains("runtimes") && !doc["runtimes"].is_object())
    throw Error(file + ": \"runtimes\" is not a JSON object");
  return doc;
}

// The indentation of the first indented line: what dump() should use to keep the file's look.
std::pair<char, int> indentation_of(const std::optional<std::string>& text) {
  if (!text) return {' ', 2};
  size_t pos = 0;
  while ((pos = text->find('\n', pos)) != std::string::npos) {
    ++pos;
    size_t end = text->find_first_not_of(" \t", pos);
    if (end != std::string::npos && end > pos && (*text)[end] != '\n') {
      return {(*text)[pos], static_cast<int>(end - pos)};
    }
  }
  return {' ', 2};
}

std::string render(const Json& doc, const std::optional<std::string>& before) {
  auto [ch, width] = indentation_of(before);
  return doc.dump(width, ch) + "\n";
}

Json entry_for(const Registration& r) {
  Json e = Json::object();
  e["path"] = r.binary;
  if (!r.profile.empty()) e["runtimeArgs"] = Json::array({"--profile=" + r.profile});
  return e;
}

}  // namespace

Edit docker_install(const std::optional<std::string>& before, const Registration& r,
                    const std::string& file) {
  Json doc = parse_object(before, file);
  Json want = entry_for(r);
  Json& runtimes = doc["runtimes"];
  if (runtimes.is_null()) runtimes = Json::object();
  if (runtimes.contains(r.name) && runtimes[r.name] == want) return {before, {}};
  std::string change = runtimes.contains(r.name) ? "replaced runtime \"" + r.name + "\" (was " +
                                                       runtimes[r.name].dump() + "): " + want.dump()
                                                 : "added runtime \"" + r.name + "\": " + want.dump();
  runtimes[r.name] = want;
  return {render(doc, before), {change}};
}

Edit docker_uninstall(const std::optional<std::string>& before, const std::string& name,
                      const std::string& file) {
  Json doc = parse_object(before, file);
  if (!doc.contains("runtimes") || !doc["runtimes"].contains(name)) return {before, {}};
  Edit out;
  out.changes.push_back("removed runtime \"" + name + "\": " + doc["runtimes"][name].dump());
  doc["runtimes"].erase(name);
  if (doc["runtimes"].empty()) doc.erase("runtimes");
  if (doc.empty()) {
    out.changes.push_back("removed the file: nothing is left in it");
    return out;
  }
  out.text = render(doc, before);
  return out;
}

}  // namespace agentrt::engines
