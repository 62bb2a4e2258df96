#include "runtime/exec_path.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include "oci/support/error.hpp"

namespace agentrt::runtime {

const std::string* env_value(const std::vector<std::string>& env, const std::string& name) {
  for (const auto& kv : env)
    if (kv.size() > name.size() && kv.compare(0, name.size(), name) == 0 && kv[name.size()] == '=')
      return &kv;
  return nullptr;
}

namespace {

bool is_executable_file(const std::string& p) {
  struct stat st;
  return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(p.c_str(), X_OK) == 0;
}

}  // namespace

std::string find_executable(const std::string& arg0, const std::vector<std::string>& env) {
  if (arg0.find('/') != std::string::npos) {
    struct stat st;
    if (::stat(arg0.c_str(), &st) < 0) throw sys_error("exec: \"" + arg0 + "\": stat " + arg0);
    if (S_ISDIR(st.st_mode)) throw Error("exec: \"" + arg0 + "\": is a directory", EISDIR);
    return arg0;
  }
  std::string path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  if (const std::string* kv = env_value(env, "PATH")) path = kv->substr(5);
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find(':', start);
    if (end == std::string::npos) end = path.size();
    std::string dir = path.substr(start, end - start);
    if (dir.empty()) dir = ".";
    std::string candidate = dir + "/" + arg0;
    if (is_executable_file(candidate)) return candidate;
    start = end + 1;
  }
  throw Error("exec: \"" + arg0 + "\": executable file not found in $PATH", ENOENT);
}

}  // namespace agentrt::runtime
