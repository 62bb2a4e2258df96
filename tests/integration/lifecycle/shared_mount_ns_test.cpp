// A config without a mount namespace (the spec: a namespace left out is inherited). Under profile off it
// runs as runc runs it, in the caller's mount namespace and chrooted into the rootfs; its mounts live in the
// caller's mount table while it runs and are all gone after delete (runc 1.1.5 leaves them, and makes the
// caller's / private). The agent profiles refuse it, saying why.
#include <sys/mount.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "support.hpp"

using namespace lifecycle_test;

namespace {

void drop_mount_namespace(json& config) {
  auto& namespaces = config["linux"]["namespaces"];
  for (auto it = namespaces.begin(); it != namespaces.end();)
    if ((*it)["type"] == "mount")
      it = namespaces.erase(it);
    else
      ++it;
}

// The lines of our own mountinfo that name path: what the container mounted in our mount table.
std::vector<std::string> our_mounts_under(const stdfs::path& path) {
  std::vector<std::string> found;
  for (const auto& line : mountinfo_lines())
    if (contains(line, " " + path.string() + " ") || contains(line, " " + path.string() + "/"))
      found.push_back(line);
  return found;
}

std::string device_and_inode(const stdfs::path& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
}

std::string joined(const std::vector<std::string>& lines) {
  std::string text;
  for (const auto& l : lines) text += l + "\n";
  return text;
}

// A bundle without a mount namespace, and without the maskedPaths and readonlyPaths runc refuses then.
Bundle& bundle_without_mount_ns(Fixture& fx, const std::string& tag) {
  auto& b = fx.bundle(tag);
  drop_mount_namespace(b.config());
  b.config()["linux"].erase("maskedPaths");
  b.config()["linux"].erase("readonlyPaths");
  return b;
}

void check_no_mount_left(const Bundle& b) {
  auto after = our_mounts_under(b.dir());
  INFO("left in our mount table:\n" << joined(after));
  CHECK(after.empty());
}

}  // namespace

TEST_CASE("without a mount namespace, profile off runs chrooted in the caller's and leaves no mount",
          "[namespaces][shared-mount-ns]") {
  Fixture fx;
  auto rt = fx.agentrt("off");
  auto& b = bundle_without_mount_ns(fx, "sharedmnt");
  b.add_ctl_mount().script(
      "echo NS_mnt=$(readlink /proc/self/ns/mnt); echo ROOT=$(stat -c %d:%i /); "
      "echo MARKER=$(cat /ROOTFS_MARKER); echo HOST_MARKER_SEEN=$(ls " +
      fx.host_marker().string() + " 2>/dev/null | wc -l); " + kWaitForGo + "echo DONE=1");
  b.save();
  std::ofstream(fx.host_marker()) << kHostMarkerText;
  auto before = our_mounts_under(b.dir());
  REQUIRE(before.empty());
  auto out = b.dir() / "create.out";

  auto c = rt.to_files({"create", "-b", b.dir(), b.id()}, out);
  INFO(c.all() << read_text(out.string() + ".err"));
  REQUIRE(c.code == 0);
  int pid = rt.state(b.id()).value()["pid"];
  // From the host: the init is in our mount namespace, and its mounts are in our mount table.
  CHECK(ns_link("/proc/" + std::to_string(pid) + "/ns/mnt") == ns_link("/proc/self/ns/mnt"));
  auto during = our_mounts_under(b.rootfs());
  INFO("our mounts under the rootfs while it runs:\n" << joined(during));
  CHECK(during.size() >= 4);  // the rootfs bind, /proc, /dev, /ctl ...

  REQUIRE(rt({"start", b.id()}).code == 0);
  REQUIRE(rt.wait_status(b.id(), "running"));
  // exec enters the container's root too, though there is no mount namespace to join.
  auto e = rt({"exec", b.id(), "cat", "/ROOTFS_MARKER"});
  INFO(e.all());
  CHECK(e.code == 0);
  CHECK(trim(e.out) == kRootfsMarkerText);

  fx.release(b);
  REQUIRE(rt.wait_status(b.id(), "stopped"));
  auto printed = read_text(out);
  INFO(printed);
  CHECK(value_of(printed, "NS_mnt") == ns_link("/proc/self/ns/mnt"));
  CHECK(value_of(printed, "ROOT") == device_and_inode(b.rootfs()));
  CHECK(value_of(printed, "MARKER") == kRootfsMarkerText);
  CHECK(value_of(printed, "HOST_MARKER_SEEN") == "0");
  CHECK(value_of(printed, "DONE") == "1");

  auto d = rt({"delete", b.id()});
  INFO(d.all());
  CHECK(d.code == 0);
  check_no_mount_left(b);
}

TEST_CASE("without a mount namespace, a failed create and delete -f of a created container leave no mount",
          "[namespaces][shared-mount-ns]") {
  Fixture fx;
  auto rt = fx.agentrt("off");
  auto& b = bundle_without_mount_ns(fx, "sharedmntfail");
  b.script("true");
  // Fails in the init after the rootfs is mounted: a bind mount whose source does not exist.
  b.config()["mounts"].push_back({{"destination", "/mnt"},
                                  {"type", "bind"},
                                  {"source", (b.dir() / "no-such-source").string()},
                                  {"options", {"bind"}}});
  b.save();
  auto failed = rt({"create", "-b", b.dir(), b.id()});
  INFO(failed.all());
  CHECK(failed.code != 0);
  CHECK(contains(failed.err, "no-such-source"));
  check_no_mount_left(b);

  b.config()["mounts"].erase(b.config()["mounts"].size() - 1);
  b.save();
  REQUIRE(rt({"create", "-b", b.dir(), b.id()}).code == 0);
  CHECK_FALSE(our_mounts_under(b.rootfs()).empty());
  auto d = rt({"delete", "-f", b.id()});
  INFO(d.all());
  CHECK(d.code == 0);
  check_no_mount_left(b);
}

TEST_CASE(
    "without a mount namespace, what a create killed half-way mounted goes with delete -f or a new create",
    "[namespaces][shared-mount-ns]") {
  Fixture fx;
  auto rt = fx.agentrt("off");
  auto& b = bundle_without_mount_ns(fx, "sharedmntkill");
  b.script("true");
  b.save();
  // create:init-ready: the init has mounted everything, and dies with the killed create.
  RunOptions killed;
  killed.env["AGENTRT_FAULT_POINT"] = "create:init-ready";
  auto create = rt.argv({"create", "-b", b.dir(), b.id()});
  REQUIRE(execute(create, killed).code != 0);
  CHECK_FALSE(our_mounts_under(b.rootfs()).empty());
  // A second create with the id removes the remains first, then mounts its own.
  auto again = rt({"create", "-b", b.dir(), b.id()});
  INFO(again.all());
  REQUIRE(again.code == 0);
  REQUIRE(rt({"delete", "-f", b.id()}).code == 0);
  check_no_mount_left(b);

  REQUIRE(execute(create, killed).code != 0);
  CHECK_FALSE(our_mounts_under(b.rootfs()).empty());
  auto d = rt({"delete", "-f", b.id()});
  INFO(d.all());
  CHECK(d.code == 0);
  check_no_mount_left(b);
}

TEST_CASE("without a mount namespace, run leaves a rootfs that was a mount point (an engine's) as it was",
          "[namespaces][shared-mount-ns]") {
  Fixture fx;
  auto& b = bundle_without_mount_ns(fx, "sharedmntengine");
  b.script("cat /ROOTFS_MARKER");
  b.save();
  // What containerd does with its overlay: the rootfs is a mount point before the runtime runs.
  const std::string rootfs = b.rootfs().string();
  REQUIRE(::mount(rootfs.c_str(), rootfs.c_str(), nullptr, MS_BIND, nullptr) == 0);
  struct EngineMount {
    std::string path;
    ~EngineMount() { ::umount2(path.c_str(), MNT_DETACH); }
  } engine_mount{rootfs};
  auto before = our_mounts_under(b.dir());
  REQUIRE(before.size() == 1);

  auto r = fx.agentrt("off")({"run", "-b", b.dir(), b.id()});
  INFO(r.all());
  CHECK(r.code == 0);
  CHECK(trim(r.out) == kRootfsMarkerText);
  auto after = our_mounts_under(b.dir());
  INFO("our mounts under the bundle after run:\n" << joined(after));
  CHECK(after == before);
}

TEST_CASE("without a mount namespace, the agent profiles refuse and so do maskedPaths under off",
          "[namespaces][shared-mount-ns]") {
  Fixture fx;
  auto& b = fx.bundle("sharedmntrefuse");
  drop_mount_namespace(b.config());
  b.script("true");
  b.save();
  for (const char* profile : {"", "agent-default", "agent-dev", "agent-nested"}) {
    auto r = fx.agentrt(profile)({"run", "-b", b.dir(), b.id()});
    INFO("profile '" << profile << "': " << r.all());
    CHECK(r.code != 0);
    CHECK(contains(r.err, "linux.namespaces: a mount namespace is required under profile agent-"));
    CHECK(contains(r.err, "an agent must not share the host's mount table"));
  }
  // runc's rule: masking needs a private mount namespace (the bundle still has runc spec's maskedPaths).
  auto masked = fx.agentrt("off")({"run", "-b", b.dir(), b.id()});
  INFO(masked.all());
  CHECK(masked.code != 0);
  CHECK(contains(masked.err,
                 "linux.maskedPaths: unable to restrict sys entries without a private MNT namespace"));
  check_no_mount_left(b);
}
