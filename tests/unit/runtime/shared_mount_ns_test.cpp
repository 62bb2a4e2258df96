#include "runtime/shared_mount_ns.hpp"

#include <catch2/catch.hpp>

#include "oci/support/error.hpp"

using namespace agentrt::runtime;
using agentrt::policy::Profile;

namespace {

MountInfo mount(int id, int parent, const std::string& mountpoint) {
  MountInfo m;
  m.id = id;
  m.parent = parent;
  m.mountpoint = mountpoint;
  return m;
}

agentrt::oci::Spec spec_without_mount_ns() {
  agentrt::oci::Spec spec;
  spec.linux.emplace();
  return spec;
}

std::string refusal(const agentrt::oci::Spec& spec, Profile profile) {
  try {
    validate_shared_mount_ns(spec, profile);
  } catch (const agentrt::Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("shared mount ns: the container's rootfs mount is the topmost one create added",
          "[shared-mount-ns]") {
  const std::string rootfs = "/b/rootfs";
  // Nothing on the rootfs before create (it is a directory of /): the bind create made is the container's.
  std::vector<MountInfo> plain = {mount(1, 0, "/"), mount(40, 1, rootfs), mount(41, 40, rootfs + "/proc")};
  CHECK(container_rootfs_mount(plain, rootfs, 0) == 40);
  CHECK(container_rootfs_mount({mount(1, 0, "/")}, rootfs, 0) == std::nullopt);

  // The rootfs was a mount point already (an engine's overlay, id 30): only what is stacked on it counts,
  // whatever the order of the lines.
  std::vector<MountInfo> stacked = {mount(1, 0, "/"), mount(50, 30, rootfs), mount(30, 1, rootfs)};
  CHECK(container_rootfs_mount(stacked, rootfs, 30) == 50);
  CHECK(container_rootfs_mount({mount(1, 0, "/"), mount(30, 1, rootfs)}, rootfs, 30) == std::nullopt);
  // A mount below the rootfs is not on it.
  CHECK(container_rootfs_mount({mount(1, 0, "/"), mount(60, 1, rootfs + "/proc")}, rootfs, 0) ==
        std::nullopt);
}

TEST_CASE("shared mount ns: only profile off, and not with masked or read-only paths", "[shared-mount-ns]") {
  auto spec = spec_without_mount_ns();
  CHECK(refusal(spec, Profile::off).empty());
  for (Profile p : {Profile::agent_default, Profile::agent_dev, Profile::agent_nested}) {
    auto why = refusal(spec, p);
    CHECK(why.find("linux.namespaces: a mount namespace is required under profile " +
                   std::string(agentrt::policy::to_string(p))) != std::string::npos);
    CHECK(why.find("must not share the host's mount table") != std::string::npos);
  }
  auto masked = spec;
  masked.linux->masked_paths = {"/proc/kcore"};
  CHECK(refusal(masked, Profile::off) ==
        "linux.maskedPaths: unable to restrict sys entries without a private MNT namespace");
  auto readonly = spec;
  readonly.linux->readonly_paths = {"/proc/sys"};
  CHECK(refusal(readonly, Profile::off) ==
        "linux.readonlyPaths: unable to restrict sys entries without a private MNT namespace");
  auto propagation = spec;
  propagation.linux->rootfs_propagation = "rshared";
  CHECK(refusal(propagation, Profile::off).find("linux.rootfsPropagation") == 0);
}

TEST_CASE("shared mount ns: the state record round-trips, and null means a private namespace",
          "[shared-mount-ns]") {
  SharedMountNs shared{4026531841, "/b/rootfs", 30};
  auto back = shared_mount_ns_from_json(to_json(shared));
  REQUIRE(back);
  CHECK(back->mount_ns == 4026531841);
  CHECK(back->rootfs == "/b/rootfs");
  CHECK(back->mount_before == 30);
  CHECK_FALSE(shared_mount_ns_from_json(nlohmann::json()));
}
