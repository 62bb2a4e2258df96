#include "bundle.hpp"

#include <sys/stat.h>

#include <catch2/catch.hpp>

#include "process.hpp"
#include "text.hpp"

namespace itest {

namespace {

const std::vector<std::string>& busybox_applets() {
  static const std::vector<std::string> applets = [] {
    auto r = execute({"/bin/busybox", "--list"});
    REQUIRE(r.code == 0);
    std::vector<std::string> v;
    for (const auto& line : split_lines(r.out))
      if (!line.empty() && line != "busybox") v.push_back(line);
    return v;
  }();
  return applets;
}

}  // namespace

json runc_spec(const std::string& hostname) {
  auto caps = json::array({"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"});
  return {{"ociVersion", "1.0.2"},
          {"process",
           {{"terminal", false},
            {"user", {{"uid", 0}, {"gid", 0}}},
            {"args", {"sh"}},
            {"env", {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"}},
            {"cwd", "/"},
            {"capabilities", {{"bounding", caps}, {"effective", caps}, {"permitted", caps}}},
            {"rlimits", {{{"type", "RLIMIT_NOFILE"}, {"hard", 1024}, {"soft", 1024}}}},
            {"noNewPrivileges", true}}},
          {"root", {{"path", "rootfs"}, {"readonly", false}}},
          {"hostname", hostname},
          {"mounts",
           {{{"destination", "/proc"}, {"type", "proc"}, {"source", "proc"}},
            {{"destination", "/dev"},
             {"type", "tmpfs"},
             {"source", "tmpfs"},
             {"options", {"nosuid", "strictatime", "mode=755", "size=65536k"}}},
            {{"destination", "/dev/pts"},
             {"type", "devpts"},
             {"source", "devpts"},
             {"options", {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}}},
            {{"destination", "/dev/shm"},
             {"type", "tmpfs"},
             {"source", "shm"},
             {"options", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}}},
            {{"destination", "/dev/mqueue"},
             {"type", "mqueue"},
             {"source", "mqueue"},
             {"options", {"nosuid", "noexec", "nodev"}}},
            {{"destination", "/sys"},
             {"type", "sysfs"},
             {"source", "sysfs"},
             {"options", {"nosuid", "noexec", "nodev", "ro"}}},
            {{"destination", "/sys/fs/cgroup"},
             {"type", "cgroup"},
             {"source", "cgroup"},
             {"options", {"nosuid", "noexec", "nodev", "relatime", "ro"}}}}},
          {"linux",
           {{"resources", {{"devices", {{{"allow", false}, {"access", "rwm"}}}}}},
            {"namespaces",
             {{{"type", "pid"}},
              {{"type", "network"}},
              {{"type", "ipc"}},
              {{"type", "uts"}},
              {{"type", "mount"}}}},
            {"maskedPaths",
             {"/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
              "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi"}},
            {"readonlyPaths", {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"}}}}};
}

Bundle::Bundle(stdfs::path dir, std::string id, json config)
    : dir_(std::move(dir)), id_(std::move(id)), config_(std::move(config)) {
  auto root = rootfs();
  for (const char* d : {"bin", "proc", "sys", "dev", "etc", "tmp", "ctl"})
    stdfs::create_directories(root / d);
  stdfs::permissions(root / "tmp", stdfs::perms::all | stdfs::perms::sticky_bit);
  stdfs::create_directories(ctl());
  stdfs::copy_file("/bin/busybox", root / "bin/busybox");
  for (const auto& applet : busybox_applets()) stdfs::create_symlink("busybox", root / "bin" / applet);
  write_text(root / "etc/passwd", "root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000:user:/tmp:/bin/sh\n");
  write_text(root / "etc/group", "root:x:0:\ntty:x:5:\nuser:x:1000:\n");
}

Bundle& Bundle::args(const std::vector<std::string>& a) {
  config_["process"]["args"] = a;
  return *this;
}

Bundle& Bundle::script(const std::string& sh) {
  return args({"sh", "-c", ": " + id_ + "; " + sh});
}

Bundle& Bundle::add_ctl_mount() {
  config_["mounts"].push_back(
      {{"destination", "/ctl"}, {"type", "bind"}, {"source", ctl().string()}, {"options", {"rbind", "rw"}}});
  return *this;
}

void Bundle::make_rootfs_dir(const std::string& container_path) {
  stdfs::create_directories(rootfs() / stdfs::path(container_path).relative_path());
}

void Bundle::write_rootfs_file(const std::string& container_path, const std::string& content, unsigned mode) {
  auto p = rootfs() / stdfs::path(container_path).relative_path();
  stdfs::create_directories(p.parent_path());
  write_text(p, content);
  chmod(p.c_str(), mode);
}

void Bundle::add_host_program(const std::string& path) {
  Result ldd = execute({"/usr/bin/ldd", path});
  INFO(ldd.all());
  REQUIRE(ldd.code == 0);
  std::vector<std::string> files = {path};
  // "libz.so.1 => /lib/x86_64-linux-gnu/libz.so.1 (0x...)" or "/lib64/ld-linux-x86-64.so.2 (0x...)".
  for (const auto& line : split_lines(ldd.out)) {
    size_t start = line.find('/');
    if (start == std::string::npos) continue;
    files.push_back(line.substr(start, line.find(' ', start) - start));
  }
  for (const auto& f : files) {
    auto dest = rootfs() / stdfs::path(f).relative_path();
    stdfs::create_directories(dest.parent_path());
    stdfs::copy_file(f, dest, stdfs::copy_options::overwrite_existing);
  }
}

void Bundle::save() const {
  write_text(dir_ / "config.json", config_.dump(2));
}

}  // namespace itest
