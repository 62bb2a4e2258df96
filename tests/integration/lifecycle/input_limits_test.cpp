// Bad input the kernel would refuse late (or truncate) is refused before anything is made, with an error that
// names the field; and what is within the kernel's limits works.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <functional>

#include "support.hpp"

using namespace lifecycle_test;

namespace {

struct BadInput {
  const char* what;
  std::function<void(json&)> change;
  const char* error;  // must appear in stderr
};

json many_gids(int n) {
  json gids = json::array();
  for (int i = 0; i < n; ++i) gids.push_back(100000 + i);
  return gids;
}

}  // namespace

TEST_CASE("input beyond the kernel's limits is refused naming the field, leaving nothing", "[limits]") {
  const BadInput cases[] = {
      {"1 MB hostname", [](json& c) { c["hostname"] = std::string(1 << 20, 'h'); },
       "config.json: hostname: longer than 64 bytes (1048576), the kernel's limit"},
      {"70k additionalGids", [](json& c) { c["process"]["user"]["additionalGids"] = many_gids(70000); },
       "config.json: process.user.additionalGids: 70000 groups, more than the kernel's NGROUPS_MAX (65536)"},
      {"effective capability not permitted",
       [](json& c) {
         c["process"]["capabilities"]["effective"] = {"CAP_KILL", "CAP_CHOWN"};
         c["process"]["capabilities"]["permitted"] = {"CAP_KILL"};
       },
       "config.json: process.capabilities.effective: CAP_CHOWN is not in the permitted set"},
      {"unknown seccomp architecture",
       [](json& c) {
         c["linux"]["seccomp"] = {{"defaultAction", "SCMP_ACT_ALLOW"},
                                  {"architectures", {"SCMP_ARCH_X86_64", "SCMP_ARCH_VAX"}}};
       },
       "config.json: linux.seccomp.architectures[1]: unknown architecture \"SCMP_ARCH_VAX\""},
      {"negative memory limit", [](json& c) { c["linux"]["resources"]["memory"]["limit"] = -4096; },
       "config.json: linux.resources.memory.limit: expected -1 (unlimited) or a number of bytes, got -4096"},
      {"env entry with a NUL byte", [](json& c) { c["process"]["env"].push_back(std::string("A=x\0y", 5)); },
       "config.json: process.env[2]: contains a NUL byte"},
  };
  Fixture fx;
  for (const char* profile : {"off", ""}) {
    auto rt = fx.agentrt(profile);
    for (const auto& bad : cases) {
      INFO(bad.what << ", --profile '" << profile << "'");
      auto& b = fx.bundle("dcli-bad");
      b.script("true");
      bad.change(b.config());
      b.save();
      auto r = rt({"run", "-b", b.dir(), b.id()});
      INFO(r.all());
      CHECK(r.code == 1);
      CHECK(contains(unescape_quotes(r.err), bad.error));
      CHECK(fx.leaks(b.id()).empty());
    }
  }
}

TEST_CASE("100k annotations run and reach the hooks' state", "[limits]") {
  Fixture fx;
  auto& b = fx.bundle("dcli-annot");
  json annotations = json::object();
  for (int i = 0; i < 100000; ++i) annotations["org.example.key" + std::to_string(i)] = "value";
  b.config()["annotations"] = annotations;
  // createContainer runs in the init (which used to get the state in one sync message, too long here),
  // before pivot_root: it counts the annotations it received into a file beside the bundle.
  auto count = b.dir() / "hook_keys";
  b.config()["hooks"]["createContainer"] = {
      {{"path", "/bin/sh"},
       {"args", {"sh", "-c", "grep -o 'org.example.key[0-9]*' | wc -l > " + count.string()}}}};
  b.script("echo RAN=yes");
  b.save();
  auto r = fx.agentrt()({"run", "-b", b.dir(), b.id()}, 120);
  INFO(r.err.substr(0, 2000));
  REQUIRE(r.code == 0);
  CHECK(value_of(r.out, "RAN") == "yes");
  CHECK(trim(read_text(count)) == "100000");
}

TEST_CASE("a rootfs whose /proc or /sys is a symlink is refused naming the destination", "[limits][rootfs]") {
  for (const char* dest : {"proc", "sys"}) {
    INFO(dest);
    Fixture fx;
    auto& b = fx.bundle(std::string("dcli-link-") + dest);
    b.script("true");
    b.save();
    stdfs::remove_all(b.rootfs() / dest);
    b.make_rootfs_dir("/elsewhere");
    stdfs::create_directory_symlink("elsewhere", b.rootfs() / dest);
    auto r = fx.agentrt()({"run", "-b", b.dir(), b.id()});
    INFO(r.all());
    CHECK(r.code == 1);
    std::string fstype = std::string(dest) == "proc" ? "proc" : "sysfs";
    CHECK(contains(unescape_quotes(r.err), std::string("destination /") + dest + ": filesystem \"" + fstype +
                                               "\" must be mounted on an ordinary directory (/" + dest +
                                               " in the rootfs is a symlink)"));
    CHECK(fx.leaks(b.id()).empty());
    // Nothing was mounted through the link.
    CHECK(stdfs::is_empty(b.rootfs() / "elsewhere"));
  }
}
