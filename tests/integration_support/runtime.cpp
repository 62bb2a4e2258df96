#include "runtime.hpp"

#include <chrono>
#include <cstdlib>

#include "wait.hpp"

namespace itest {

std::string agentrt_bin() {
  if (const char* e = getenv("AGENTRT_TEST_BIN")) return e;
  return AGENTRT_BIN;
}

std::vector<std::string> profile_flags(const std::string& profile) {
  if (profile.empty()) return {};
  return {"--profile", profile};
}

Runtime::Runtime(std::string bin, stdfs::path root, std::vector<std::string> globals)
    : bin_(std::move(bin)), root_(std::move(root)), globals_(std::move(globals)) {}

std::vector<std::string> Runtime::argv(const std::vector<std::string>& args) const {
  std::vector<std::string> v{bin_, "--root", root_.string()};
  v.insert(v.end(), globals_.begin(), globals_.end());
  v.insert(v.end(), args.begin(), args.end());
  return v;
}

Result Runtime::operator()(const std::vector<std::string>& args, const RunOptions& opts) const {
  return execute(argv(args), opts);
}

Result Runtime::operator()(const std::vector<std::string>& args, int timeout_s) const {
  return execute(argv(args), timeout_s);
}

Result Runtime::to_files(const std::vector<std::string>& args, const stdfs::path& out, int timeout_s) const {
  return execute_to(argv(args), out, out.string() + ".err", timeout_s);
}

std::optional<json> Runtime::state(const std::string& id) const {
  auto r = (*this)({"state", id});
  if (r.code != 0) return std::nullopt;
  auto j = json::parse(r.out, nullptr, false);
  if (j.is_discarded()) return std::nullopt;
  return j;
}

std::string Runtime::status(const std::string& id) const {
  auto s = state(id);
  return s && s->contains("status") ? (*s)["status"].get<std::string>() : "";
}

bool Runtime::wait_status(const std::string& id, const std::string& want, double timeout_s) const {
  return eventually([&] { return status(id) == want; }, timeout_s, std::chrono::milliseconds(20));
}

std::vector<stdfs::path> cgroups_named(const std::string& id) {
  std::vector<stdfs::path> found;
  auto named = [&](const stdfs::path& p) { return p.filename().string().find(id) != std::string::npos; };
  std::error_code ec;
  for (const auto& top : stdfs::directory_iterator("/sys/fs/cgroup", ec)) {
    // On pure cgroup v2 the top-level entries are cgroups themselves (a container may sit right there).
    if (top.is_directory(ec) && named(top.path())) found.push_back(top.path());
    stdfs::recursive_directory_iterator it(top.path(), stdfs::directory_options::skip_permission_denied, ec);
    for (; !ec && it != stdfs::recursive_directory_iterator(); it.increment(ec)) {
      if (it.depth() >= 4) it.disable_recursion_pending();
      if (it->is_directory(ec) && named(it->path())) found.push_back(it->path());
    }
  }
  return found;
}

}  // namespace itest
