#include "harness.hpp"

#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "oci/support/error.hpp"
#include "oci/support/fs.hpp"

namespace stdfs = std::filesystem;
using namespace agentrt;

namespace rootfs_test {

BusyboxRootfs::BusyboxRootfs() {
  char tmpl[] = "/run/agentrt-rootfs-test-XXXXXX";
  REQUIRE(mkdtemp(tmpl));
  dir_ = tmpl;
  auto root = rootfs();
  for (const char* d : {"bin", "proc", "sys", "dev", "etc", "tmp"}) stdfs::create_directories(root / d);
  stdfs::copy_file("/bin/busybox", root / "bin/busybox");
  for (const char* applet : {"sh", "cat", "ls", "stat", "touch", "mkdir", "echo", "wc", "grep", "readlink",
                             "head", "test", "id", "rm", "unshare", "mount"})
    stdfs::create_symlink("busybox", root / "bin" / applet);
  write("/etc/marker", "agentrt-rootfs-marker\n");
}

BusyboxRootfs::~BusyboxRootfs() {
  std::error_code ec;
  stdfs::remove_all(dir_, ec);
}

void BusyboxRootfs::write(const std::string& container_path, const std::string& content) const {
  auto path = rootfs() / stdfs::path(container_path).relative_path();
  stdfs::create_directories(path.parent_path());
  std::ofstream(path) << content;
}

std::string host_mountinfo() {
  return fs::read_file("/proc/self/mountinfo");
}

namespace {

[[noreturn]] void container_init(const oci::Spec& spec, const std::string& rootfs,
                                 const runtime::RootfsOptions& opts, const std::string& script, int out_fd) {
  dup2(out_fd, 1);
  dup2(out_fd, 2);
  try {
    runtime::prepare_rootfs(spec, rootfs, opts);
    runtime::finalize_rootfs(spec, opts);
  } catch (const std::exception& e) {
    std::string msg = std::string("setup error: ") + e.what() + "\n";
    (void)!write(2, msg.data(), msg.size());
    _exit(111);
  }
  const char* env[] = {"PATH=/bin", nullptr};
  execle("/bin/busybox", "sh", "-c", script.c_str(), nullptr, env);
  std::string msg = "exec busybox failed\n";
  (void)!write(2, msg.data(), msg.size());
  _exit(112);
}

void write_id_maps(pid_t pid) {
  const std::string map = "0 " + std::to_string(kUserNsBase) + " 65536\n";
  fs::write_existing("/proc/" + std::to_string(pid) + "/uid_map", map);
  fs::write_existing("/proc/" + std::to_string(pid) + "/gid_map", map);
}

}  // namespace

void chown_tree(const stdfs::path& dir, unsigned uid, unsigned gid) {
  REQUIRE(lchown(dir.c_str(), uid, gid) == 0);
  for (const auto& e : stdfs::recursive_directory_iterator(dir))
    REQUIRE(lchown(e.path().c_str(), uid, gid) == 0);
}

namespace {

// Nothing the container did may show in the host's mount namespace. Other work on this machine (podman
// tests ...) mounts and unmounts concurrently, so the check is: every mount present before and after kept its
// options, and no new mount sits in this test's directory or on a path a container could target.
void check_no_host_mount_changes(const std::string& before, const std::string& after,
                                 const std::string& rootfs) {
  const std::string test_dir = stdfs::path(rootfs).parent_path().string();
  auto old_mounts = runtime::parse_mountinfo(before);
  for (const auto& m : runtime::parse_mountinfo(after)) {
    INFO("host mount " << m.id << " at " << m.mountpoint);
    bool existed = false;
    for (const auto& o : old_mounts) {
      if (o.id != m.id) continue;
      existed = true;
      CHECK(o.mountpoint == m.mountpoint);
      CHECK(o.mount_options == m.mount_options);
      CHECK(o.super_options == m.super_options);
    }
    if (existed) continue;
    for (const char* sensitive : {"/", "/etc", "/proc", "/sys", "/dev", "/run", "/tmp"})
      CHECK(m.mountpoint != sensitive);
    for (const std::string& prefix :
         {test_dir + "/", std::string("/etc/"), std::string("/proc/"), std::string("/sys/")})
      CHECK(m.mountpoint.rfind(prefix, 0) != 0);
  }
}

}  // namespace

RunResult run_in_container(const oci::Spec& spec, const std::string& rootfs,
                           const runtime::RootfsOptions& opts, const std::string& script, bool user_ns,
                           const std::string& locked_tmpfs) {
  const std::string before = host_mountinfo();
  int p[2], ready[2], mapped[2];
  REQUIRE(pipe2(p, O_CLOEXEC) == 0);
  REQUIRE(pipe2(ready, O_CLOEXEC) == 0);
  REQUIRE(pipe2(mapped, O_CLOEXEC) == 0);
  pid_t outer = fork();
  REQUIRE(outer >= 0);
  if (outer == 0) {
    close(p[0]);
    close(ready[0]);
    close(mapped[1]);
    int flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS;
    if (user_ns) {
      // The parent writes our id maps between these two steps.
      char c = 0;
      if (!locked_tmpfs.empty() &&
          (unshare(CLONE_NEWNS) < 0 || mount("", "/", nullptr, MS_SLAVE | MS_REC, nullptr) < 0 ||
           mount("tmpfs", locked_tmpfs.c_str(), "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                 "mode=755,uid=100000,gid=100000") < 0))
        _exit(117);
      if (unshare(CLONE_NEWUSER) < 0 || write(ready[1], "u", 1) != 1 || read(mapped[0], &c, 1) != 1)
        _exit(119);
      // Become the namespace's root (host uid kUserNsBase): files we create must have mapped owners.
      if (setgroups(0, nullptr) < 0 || setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0) _exit(118);
      flags |= CLONE_NEWNET | CLONE_NEWIPC;
    }
    if (spec.linux && spec.linux->has_namespace(oci::NamespaceType::cgroup)) flags |= CLONE_NEWCGROUP;
    if (unshare(flags) < 0) _exit(120);
    pid_t init = fork();
    if (init < 0) _exit(121);
    if (init == 0) container_init(spec, rootfs, opts, script, p[1]);
    close(p[1]);
    int status = 0;
    if (waitpid(init, &status, 0) < 0) _exit(122);
    _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
  }
  close(p[1]);
  close(ready[1]);
  close(mapped[0]);
  if (user_ns) {
    char c = 0;
    REQUIRE(read(ready[0], &c, 1) == 1);
    write_id_maps(outer);
    REQUIRE(write(mapped[1], "m", 1) == 1);
  }
  close(ready[0]);
  close(mapped[1]);
  RunResult r;
  char buf[4096];
  ssize_t n;
  while ((n = read(p[0], buf, sizeof buf)) > 0) r.output.append(buf, static_cast<size_t>(n));
  close(p[0]);
  int status = 0;
  REQUIRE(waitpid(outer, &status, 0) == outer);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  check_no_host_mount_changes(before, host_mountinfo(), rootfs);
  return r;
}

std::vector<runtime::MountInfo> container_mounts(const std::string& output) {
  auto begin = output.find("=== mountinfo\n");
  auto end = output.find("=== end");
  if (begin == std::string::npos || end == std::string::npos) return {};
  begin += 14;
  return runtime::parse_mountinfo(output.substr(begin, end - begin));
}

std::optional<runtime::MountInfo> find_mount(const std::vector<runtime::MountInfo>& mounts,
                                             const std::string& mountpoint) {
  std::optional<runtime::MountInfo> found;
  for (const auto& m : mounts)
    if (m.mountpoint == mountpoint) found = m;  // the last one is on top
  return found;
}

std::string fs_root_of(const std::string& path) {
  const runtime::MountInfo* best = nullptr;
  for (const auto& m : runtime::parse_mountinfo(host_mountinfo())) {
    const auto& mp = m.mountpoint;
    if (mp == "/" || path == mp || path.compare(0, mp.size() + 1, mp + "/") == 0)
      if (!best || mp.size() >= best->mountpoint.size()) best = &m;
  }
  if (!best || best->mountpoint == "/") return path;
  return path == best->mountpoint ? "/" : path.substr(best->mountpoint.size());
}

oci::Mount make_mount(std::string dest, std::string type, std::string source,
                      std::vector<std::string> options) {
  oci::Mount m;
  m.destination = std::move(dest);
  m.type = std::move(type);
  m.source = std::move(source);
  m.options = std::move(options);
  return m;
}

oci::Spec default_spec() {
  oci::Spec spec;
  spec.linux.emplace();
  spec.mounts = {
      make_mount("/proc", "proc", "proc", {"nosuid", "noexec", "nodev"}),
      make_mount("/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"}),
      make_mount("/dev/pts", "devpts", "devpts",
                 {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}),
      make_mount("/dev/shm", "tmpfs", "shm", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}),
      make_mount("/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev"}),
      make_mount("/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro"}),
  };
  return spec;
}

}  // namespace rootfs_test
