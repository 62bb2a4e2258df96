#include "support.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <sstream>
#include <thread>

namespace lifecycle_test {

std::string unique_id(const std::string& tag) {
  return itest::unique_id("lc", tag);
}

Fixture::Fixture() : Workspace(stdfs::path(kTestBase) / unique_id("t")) {
  stdfs::create_directories(base() / "agentrt-root");
  stdfs::create_directories(base() / "runc-root");
  // The base must be reachable from a user namespace's root (others need x on the path).
  chmod(kTestBase, 0755);
  chmod(base().c_str(), 0755);
  write_text(host_marker(), kHostMarkerText);
  mounts_before_ = mountinfo_lines();
}

Bundle& Fixture::bundle(const std::string& tag) {
  auto id = unique_id(tag);
  auto& b = add_bundle("b-" + id, id, runc_spec("lifecycle"));
  b.make_rootfs_dir("/mnt");
  b.write_rootfs_file("/ROOTFS_MARKER", kRootfsMarkerText);
  chmod(b.dir().c_str(), 0755);
  return b;
}

Runtime Fixture::agentrt(const std::string& profile) const {
  return Runtime(agentrt_bin(), base() / "agentrt-root", profile_flags(profile));
}

Runtime Fixture::runc() const {
  return Runtime("/usr/sbin/runc", base() / "runc-root", {});
}

void Fixture::release(const Bundle& b) const {
  write_text(b.ctl() / "go", "go");
}

namespace {

std::vector<pid_t> processes_mentioning(const std::string& id) {
  std::vector<pid_t> found;
  std::error_code ec;
  for (const auto& e : stdfs::directory_iterator("/proc", ec)) {
    auto name = e.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    auto cmd = read_text(e.path() / "cmdline");
    if (cmd.find(id) != std::string::npos) found.push_back(std::stoi(name));
  }
  return found;
}

}  // namespace

std::vector<std::string> Fixture::leaks(const std::string& id) const {
  std::vector<std::string> found;
  for (const auto& root : {base() / "agentrt-root", base() / "runc-root"})
    if (stdfs::exists(root / id)) found.push_back("state dir " + (root / id).string());
  // Killed processes can take a moment to be reaped.
  std::vector<pid_t> procs;
  for (int i = 0; i < 100; ++i) {
    procs = processes_mentioning(id);
    if (procs.empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  for (pid_t p : procs)
    found.push_back("process " + std::to_string(p) + ": " +
                    read_text("/proc/" + std::to_string(p) + "/cmdline"));
  for (const auto& c : cgroups_named(id)) found.push_back("cgroup " + c.string());
  for (const auto& line : mountinfo_lines())
    if (!mounts_before_.count(line) && line.find(id) != std::string::npos) found.push_back("mount " + line);
  return found;
}

void Fixture::check_no_leaks(const std::string& id) const {
  auto found = leaks(id);
  std::string listing;
  for (const auto& f : found) listing += f + "\n";
  INFO("left behind by " << id << ":\n" << listing);
  CHECK(found.empty());
}

Fixture::~Fixture() {
  for (const auto& b : bundles()) {
    auto r = agentrt()({"delete", "--force", b->id()});
    // Shown with the leak check below when the cleanup itself failed.
    if (r.code != 0) UNSCOPED_INFO("delete --force " << b->id() << " exited " << r.code << ": " << r.all());
    if (stdfs::exists(base() / "runc-root" / b->id())) runc()({"delete", "--force", b->id()});
  }
  for (const auto& b : bundles()) check_no_leaks(b->id());
  for (const auto& root : {base() / "agentrt-root", base() / "runc-root"}) {
    std::error_code ec;
    std::string left;
    // Dot entries (the compiled seccomp cache) are the runtime's, not a container's.
    for (const auto& e : stdfs::directory_iterator(root, ec))
      if (e.path().filename().string()[0] != '.') left += e.path().filename().string() + " ";
    INFO("state left under " << root << ": " << left);
    CHECK(left.empty());
  }
  // Other engineers' tests mount things concurrently: only mounts that mention this test's paths count.
  std::string leaked;
  for (const auto& line : mountinfo_lines()) {
    if (mounts_before_.count(line)) continue;
    bool ours = line.find(base().string()) != std::string::npos;
    for (const auto& b : bundles()) ours = ours || line.find(b->id()) != std::string::npos;
    if (ours) leaked += line + "\n";
  }
  INFO("host mounts left:\n" << leaked);
  CHECK(leaked.empty());
}

std::optional<std::string> value_of(const std::string& output, const std::string& key) {
  auto all = values_of(output, key);
  if (all.empty()) return std::nullopt;
  return all.front();
}

std::vector<std::string> values_of(const std::string& output, const std::string& key) {
  std::vector<std::string> v;
  for (const auto& l : split_lines(output))
    if (l.rfind(key + "=", 0) == 0) v.push_back(trim(l.substr(key.size() + 1)));
  return v;
}

std::string ns_link(const std::string& path) {
  std::error_code ec;
  auto t = stdfs::read_symlink(path, ec);
  return ec ? "" : t.string();
}

std::set<std::string> mountinfo_lines() {
  std::set<std::string> lines;
  for (const auto& l : split_lines(read_text("/proc/self/mountinfo"))) {
    // Drop the mount id and parent id: they are not stable identities for a comparison by content.
    std::istringstream in(l);
    std::string mid, parent, rest;
    in >> mid >> parent;
    std::getline(in, rest);
    lines.insert(rest);
  }
  return lines;
}

std::vector<MountLine> parse_mountinfo(const std::string& text) {
  std::vector<MountLine> mounts;
  for (const auto& l : split_lines(text)) {
    std::istringstream in(l);
    std::vector<std::string> f;
    for (std::string w; in >> w;) f.push_back(w);
    if (f.size() < 10) continue;
    MountLine m;
    m.mountpoint = f[4];
    m.options = f[5];
    size_t i = 6;
    for (; i < f.size() && f[i] != "-"; ++i) m.optional_fields += f[i] + " ";
    if (i + 2 >= f.size()) continue;
    m.fstype = f[i + 1];
    m.source = f[i + 2];
    m.super_options = i + 3 < f.size() ? f[i + 3] : "";
    mounts.push_back(m);
  }
  return mounts;
}

std::optional<MountLine> mount_at(const std::vector<MountLine>& mounts, const std::string& mountpoint) {
  std::optional<MountLine> top;
  for (const auto& m : mounts)
    if (m.mountpoint == mountpoint) top = m;
  return top;
}

std::string section(const std::string& output, const std::string& name) {
  auto begin = output.find("=== " + name + "\n");
  if (begin == std::string::npos) return "";
  begin += name.size() + 5;
  auto end = output.find("=== end " + name, begin);
  return output.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
}

std::string print_section(const std::string& name, const std::string& command) {
  return "echo '=== " + name + "'; " + command + "; echo '=== end " + name + "'; ";
}

}  // namespace lifecycle_test
