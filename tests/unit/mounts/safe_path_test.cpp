// Resolution inside a root, on a real temporary directory (no privileges needed).
#include "runtime/safe_path.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "oci/support/error.hpp"

using namespace agentrt;
using namespace agentrt::runtime;
namespace stdfs = std::filesystem;

namespace {

struct TempRoot {
  stdfs::path outer;
  stdfs::path root;
  UniqueFd fd;
  TempRoot() {
    char tmpl[] = "/tmp/agentrt-safepath-XXXXXX";
    REQUIRE(mkdtemp(tmpl));
    outer = tmpl;
    root = outer / "root";
    stdfs::create_directories(root / "etc");
    fd.reset(open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    REQUIRE(fd);
  }
  ~TempRoot() { stdfs::remove_all(outer); }
};

}  // namespace

TEST_CASE("clean_path, parent_path, base_name") {
  CHECK(clean_path("a//b/./c/../d/") == "/a/b/d");
  CHECK(clean_path("/../../x") == "/x");
  CHECK(clean_path("") == "/");
  CHECK(parent_path("/a/b/c") == "/a/b");
  CHECK(parent_path("/a") == "/");
  CHECK(base_name("/a/b/c") == "c");
}

TEST_CASE("an absolute symlink resolves inside the root") {
  TempRoot t;
  stdfs::create_directory_symlink("/etc", t.root / "evil");
  UniqueFd fd = open_in_root(t.fd.get(), "/evil", O_PATH);
  CHECK(fd_real_path(fd.get()) == (t.root / "etc").string());
  CHECK(container_path_of(fd.get(), t.root.string()) == "/etc");
}

TEST_CASE("dot-dot stops at the root") {
  TempRoot t;
  stdfs::create_directory_symlink("../../../../..", t.root / "up");
  UniqueFd fd = open_in_root(t.fd.get(), "/up/../../etc", O_PATH);
  CHECK(fd_real_path(fd.get()) == (t.root / "etc").string());
}

TEST_CASE("mkdir_all creates through symlinks inside the root, never outside") {
  TempRoot t;
  stdfs::create_directory(t.outer / "host");
  stdfs::create_directories(t.root / t.outer.relative_path() / "host");
  stdfs::create_directory_symlink((t.outer / "host").string(), t.root / "link");
  UniqueFd fd = mkdir_all_in_root(t.fd.get(), "/link/a/b");
  CHECK(stdfs::is_directory(t.root / t.outer.relative_path() / "host/a/b"));
  CHECK_FALSE(stdfs::exists(t.outer / "host/a"));
  CHECK(container_path_of(fd.get(), t.root.string()) == (t.outer / "host/a/b").string());
}

TEST_CASE("a dangling symlink is refused, not followed") {
  TempRoot t;
  stdfs::create_directory_symlink((t.outer / "victim").string(), t.root / "dangling");
  CHECK_THROWS_WITH(mkdir_all_in_root(t.fd.get(), "/dangling/x"),
                    Catch::Contains("refusing to follow a dangling symlink"));
  CHECK_THROWS_WITH(ensure_file_in_root(t.fd.get(), "/dangling"),
                    Catch::Contains("refusing to follow a dangling symlink"));
  CHECK_FALSE(stdfs::exists(t.outer / "victim"));
}

TEST_CASE("ensure_file creates an empty file and its parents") {
  TempRoot t;
  UniqueFd fd = ensure_file_in_root(t.fd.get(), "/etc/x/resolv.conf");
  CHECK(stdfs::is_regular_file(t.root / "etc/x/resolv.conf"));
  CHECK(stdfs::file_size(t.root / "etc/x/resolv.conf") == 0);
  UniqueFd again = ensure_file_in_root(t.fd.get(), "/etc/x/resolv.conf");
  CHECK(fd_real_path(again.get()) == (t.root / "etc/x/resolv.conf").string());
}

TEST_CASE("open errors name the path") {
  TempRoot t;
  CHECK_THROWS_WITH(open_in_root(t.fd.get(), "/missing", O_PATH), "open /missing: No such file or directory");
  CHECK(try_open_in_root(t.fd.get(), "/missing", O_PATH) == -ENOENT);
}
