#include "seccomp/cache.hpp"

#include <dirent.h>
#include <stdlib.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "helpers.hpp"
#include "oci/support/fs.hpp"

using namespace agentrt;
using namespace agentrt::seccomp;
using namespace agentrt::seccomp::test;
using A = oci::SeccompAction;

namespace {

struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/agentrt-sc-cache-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

std::vector<std::string> entries(const std::string& dir) {
  std::vector<std::string> out;
  if (!std::filesystem::exists(dir)) return out;
  for (const auto& e : std::filesystem::directory_iterator(dir)) out.push_back(e.path().filename().string());
  return out;
}

}  // namespace

TEST_CASE("cache: a miss compiles and stores <hash>.bpf, a hit returns the stored program", "[cache]") {
  TempDir tmp;
  std::string dir = tmp.path + "/nested/cache";
  auto s = filter(A::errno_ret, {rule({"read", "write", "bogus_call_name"}, A::allow)});
  std::vector<std::string> w1, w2;
  auto first = compile(s, w1, dir);
  auto files = entries(dir);
  REQUIRE(files.size() == 1);
  REQUIRE(files[0] == cache_key(build_ruleset(s)) + ".bpf");
  REQUIRE(files[0].size() == 16 + 4);
  auto second = compile(s, w2, dir);
  REQUIRE(second.insns.size() == first.insns.size());
  REQUIRE(std::memcmp(second.insns.data(), first.insns.data(), first.insns.size() * sizeof(sock_filter)) ==
          0);
  REQUIRE(w2 == w1);  // the warnings come back from the cache too
  REQUIRE(w1.size() == 1);
}

TEST_CASE("cache: a hit does not recompile (a planted entry is returned as is)", "[cache]") {
  TempDir tmp;
  auto s = filter(A::errno_ret, {rule({"read"}, A::allow)});
  CachedProgram planted;
  planted.program.insns = {BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | 99)};
  planted.program.flags = 2;
  planted.warnings = {"planted"};
  cache_store(cache_path(tmp.path, cache_key(build_ruleset(s))), planted);
  std::vector<std::string> w;
  auto p = compile(s, w, tmp.path);
  REQUIRE(p.insns.size() == 1);
  REQUIRE(decide(p, SYS_read) == errno_ret(99));
  REQUIRE(p.flags == 2);
  REQUIRE(w == std::vector<std::string>{"planted"});
}

TEST_CASE("cache: a corrupt entry is recompiled and replaced", "[cache]") {
  TempDir tmp;
  auto s = filter(A::errno_ret, {rule({"read"}, A::allow)});
  std::string path = cache_path(tmp.path, cache_key(build_ruleset(s)));
  fs::write_file(path, "agentrt-seccomp-bpf 1 0 0 0 5\nshort");
  std::vector<std::string> w;
  auto p = compile(s, w, tmp.path);
  REQUIRE(decide(p, SYS_read) == SECCOMP_RET_ALLOW);
  REQUIRE(cache_load(path).has_value());
  REQUIRE(cache_load(path)->program.insns.size() == p.insns.size());
}

TEST_CASE("cache: different rule sets get different keys", "[cache]") {
  TempDir tmp;
  std::vector<std::string> w;
  auto a = filter(A::errno_ret, {rule({"read"}, A::allow)});
  auto b = filter(A::errno_ret, {rule({"write"}, A::allow)});
  REQUIRE(cache_key(build_ruleset(a)) != cache_key(build_ruleset(b)));
  compile(a, w, tmp.path);
  compile(b, w, tmp.path);
  REQUIRE(entries(tmp.path).size() == 2);
  auto pb = compile(b, w, tmp.path);
  REQUIRE(decide(pb, SYS_write) == SECCOMP_RET_ALLOW);
  REQUIRE(decide(pb, SYS_read) == errno_ret(EPERM));
}

TEST_CASE("cache: fnv1a64 matches the reference vectors", "[cache]") {
  REQUIRE(fnv1a64("") == 0xcbf29ce484222325ULL);
  REQUIRE(fnv1a64("a") == 0xaf63dc4c8601ec8cULL);
  REQUIRE(fnv1a64("foobar") == 0x85944171f73967e8ULL);
}

TEST_CASE("cache: pruning keeps the most recently written entries", "[cache]") {
  TempDir tmp;
  CachedProgram e;
  e.program.insns = {BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)};
  auto t = std::filesystem::file_time_type::clock::now();
  for (int i = 0; i < 5; ++i) {
    std::string path = cache_path(tmp.path, "entry" + std::to_string(i));
    cache_store(path, e);
    std::filesystem::last_write_time(path, t + std::chrono::seconds(i));
  }
  fs::write_file(tmp.path + "/unrelated.txt", "x");
  cache_prune(tmp.path, 3);
  auto left = entries(tmp.path);
  std::sort(left.begin(), left.end());
  REQUIRE(left == std::vector<std::string>{"entry2.bpf", "entry3.bpf", "entry4.bpf", "unrelated.txt"});
}
