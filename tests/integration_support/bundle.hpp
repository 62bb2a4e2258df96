#pragma once
// OCI bundles for the integration tests: a busybox rootfs and a config.json like `runc spec` writes.
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace itest {

namespace stdfs = std::filesystem;
using nlohmann::json;

// `runc spec` defaults with args ["sh"], terminal off, a writable root and the given hostname.
json runc_spec(const std::string& hostname);

// A bundle directory holding rootfs/ (busybox with its applets, bin proc sys dev etc tmp ctl, /etc/passwd
// with root and user 1000, /etc/group) and config.json once saved. The directory is not removed here.
class Bundle {
 public:
  Bundle(stdfs::path dir, std::string id, json config);
  const std::string& id() const { return id_; }
  const stdfs::path& dir() const { return dir_; }
  stdfs::path rootfs() const { return dir_ / "rootfs"; }
  // A directory on the host, bind-mounted at /ctl in the container by add_ctl_mount().
  stdfs::path ctl() const { return dir_ / "ctl"; }
  json& config() { return config_; }
  json& resources() { return config_["linux"]["resources"]; }
  Bundle& args(const std::vector<std::string>& a);
  Bundle& sh(const std::string& script) { return args({"sh", "-c", script}); }
  // args = sh -c ": <id>; <script>" so the container's cmdline names the bundle id (for leak checks).
  Bundle& script(const std::string& sh);
  Bundle& add_ctl_mount();
  void make_rootfs_dir(const std::string& container_path);
  void write_rootfs_file(const std::string& container_path, const std::string& content, unsigned mode = 0644);
  // Copies a dynamically linked host program and the libraries ldd names for it into the rootfs at the same
  // paths (for a tool busybox lacks, such as git).
  void add_host_program(const std::string& path);
  void save() const;

 private:
  stdfs::path dir_;
  std::string id_;
  json config_;
};

}  // namespace itest
