#pragma once
// A busybox bundle with the threat probe at /bin/probe, and an agentrt root of its own, both under
// /run/agentrt-policy-<pid> and removed (containers force-deleted, the directory once empty) on destruction.
#include <unistd.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "integration_support/bundle.hpp"
#include "integration_support/process.hpp"
#include "integration_support/runtime.hpp"
#include "integration_support/text.hpp"

namespace policy_test {

namespace stdfs = std::filesystem;
using nlohmann::json;

inline stdfs::path base_dir() {
  return "/run/agentrt-policy-" + std::to_string(::getpid());
}

inline std::string probe_binary() {
  return std::string(AGENTRT_BUILD_DIR) + "/tests/threat/agentrt_probe";
}

// A bundle whose rootfs holds /bin/probe, /workspace/inside.txt, /data/file.txt and /data/tool (busybox).
class PolicyBundle : public itest::Bundle {
 public:
  explicit PolicyBundle(const std::string& id) : itest::Bundle(base_dir() / id, id, itest::runc_spec(id)) {
    stdfs::copy_file(probe_binary(), rootfs() / "bin/probe");
    write_rootfs_file("/workspace/inside.txt", "inside\n");
    write_rootfs_file("/data/file.txt", "host data\n");
    stdfs::copy_file("/bin/busybox", rootfs() / "data/tool");
    make_rootfs_dir("/var/tmp");
  }
  ~PolicyBundle() { stdfs::remove_all(dir()); }
  void annotate(const std::string& key, const std::string& value) { config()["annotations"][key] = value; }
  std::string host_file(const std::string& container_path) const {
    return itest::read_text(rootfs() / stdfs::path(container_path).relative_path());
  }
  bool host_exists(const std::string& container_path) const {
    std::error_code ec;
    return stdfs::exists(stdfs::symlink_status(rootfs() / stdfs::path(container_path).relative_path(), ec));
  }
};

class PolicyRuntime : public itest::Runtime {
 public:
  explicit PolicyRuntime(std::vector<std::string> globals = {})
      : itest::Runtime(itest::agentrt_bin(), base_dir() / "root", std::move(globals)) {}
  ~PolicyRuntime() {
    for (const auto& id : ids_) (*this)({"delete", "-f", id}, 30);
    stdfs::remove_all(root());
    std::error_code ec;
    stdfs::remove(base_dir(), ec);  // once the bundles, destroyed first, and every root are gone
  }
  itest::Result run(PolicyBundle& b) const {
    ids_.push_back(b.id());
    b.save();
    return (*this)({"run", "--bundle", b.dir().string(), b.id()}, 60);
  }
  itest::Result create(PolicyBundle& b) const {
    ids_.push_back(b.id());
    b.save();
    return (*this)({"create", "--bundle", b.dir().string(), b.id()}, 60);
  }

 private:
  mutable std::vector<std::string> ids_;
};

// `echo name=$(probe op args)` for each {name, "op args"}: the script prints one name=ERRNO line each.
inline std::string probe_script(const std::vector<std::pair<std::string, std::string>>& ops) {
  std::string s;
  for (const auto& [name, op] : ops) s += "echo \"" + name + "=$(/bin/probe " + op + " 2>&1)\"; ";
  return s;
}

}  // namespace policy_test
