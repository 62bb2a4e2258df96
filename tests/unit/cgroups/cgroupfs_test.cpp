#include "cgroups/cgroupfs.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "oci/support/error.hpp"

using namespace agentrt::cgroups;
namespace stdfs = std::filesystem;

// A cgroup directory holds the kernel's files ("cgroup.procs"): a cgroupsPath ending in one of them once
// passed for an existing cgroup, and the directories made on the way stayed behind.
TEST_CASE("make_dirs: a path through a file fails and removes what it made") {
  std::string tmpl = (stdfs::temp_directory_path() / "agentrt-cgroupfs-XXXXXX").string();
  REQUIRE(mkdtemp(tmpl.data()) != nullptr);
  stdfs::path root = tmpl;
  stdfs::create_directory(root / "a");
  std::ofstream(root / "a" / "cgroup.procs") << "";

  CHECK_THROWS_AS(cgroupfs::make_dirs(cgroupfs::missing_dirs(root, "/a/cgroup.procs")), agentrt::Error);
  CHECK_THROWS_AS(cgroupfs::make_dirs(cgroupfs::missing_dirs(root, "/a/cgroup.procs/b")), agentrt::Error);
  CHECK(stdfs::is_regular_file(root / "a" / "cgroup.procs"));

  auto made = cgroupfs::make_dirs(cgroupfs::missing_dirs(root, "/a/b/c"));
  CHECK(made == std::vector<std::string>{root / "a/b", root / "a/b/c"});
  CHECK(cgroupfs::make_dirs(cgroupfs::missing_dirs(root, "/a/b/c")).empty());
  stdfs::remove_all(root);
}
