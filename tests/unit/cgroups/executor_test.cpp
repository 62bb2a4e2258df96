#include "cgroups/executor.hpp"

#include <catch2/catch.hpp>
#include <cerrno>
#include <map>

#include "oci/support/error.hpp"

using namespace agentrt::cgroups;

namespace {

// Records writes; refuses the ones listed in `refuse` (file=value -> errno) and files listed as missing.
struct FakeWriter : Writer {
  std::vector<std::string> log;
  std::map<std::string, int> refuse;
  std::vector<std::string> missing;
  std::vector<std::string> controllers = {"", "memory", "cpu", "io"};

  bool has_controller(const std::string& c) const override {
    for (const auto& x : controllers)
      if (x == c) return true;
    return false;
  }
  int write(const std::string&, const std::string& file, const std::string& value) override {
    for (const auto& m : missing)
      if (m == file) return ENOENT;
    auto it = refuse.find(file + "=" + value);
    if (it != refuse.end()) {
      int err = it->second;
      if (err == EINVAL) refuse.erase(it);  // EINVAL refusals are one-shot (order problems)
      return err;
    }
    log.push_back(file + "=" + value);
    return 0;
  }
  std::string path_of(const std::string& c, const std::string& file) const override {
    return "/sys/fs/cgroup/" + c + "/x/" + file;
  }
};

FileWrite fw(const std::string& c, const std::string& file, const std::string& v, const std::string& res,
             bool retry = false) {
  return FileWrite{c, file, v, res, retry, "", ""};
}

}  // namespace

TEST_CASE("writes happen in plan order") {
  FakeWriter w;
  execute({fw("memory", "a", "1", "r.a"), fw("cpu", "b", "2", "r.b")}, w);
  CHECK(w.log == std::vector<std::string>{"a=1", "b=2"});
}

TEST_CASE("a refused write names the resource, the file and the errno") {
  FakeWriter w;
  w.refuse["memory.limit_in_bytes=5"] = EBUSY;
  try {
    execute({fw("memory", "memory.limit_in_bytes", "5", "linux.resources.memory.limit")}, w);
    FAIL("no error");
  } catch (const agentrt::Error& e) {
    CHECK(std::string(e.what()) ==
          "linux.resources.memory.limit: write /sys/fs/cgroup/memory/x/memory.limit_in_bytes: Device or "
          "resource "
          "busy");
    CHECK(e.error_number() == EBUSY);
  }
}

TEST_CASE("a missing controller is named") {
  FakeWriter w;
  CHECK_THROWS_WITH(execute({fw("net_cls", "net_cls.classid", "1", "linux.resources.network.classID")}, w),
                    "linux.resources.network.classID: cgroup controller net_cls is not available "
                    "(/sys/fs/cgroup/net_cls/x/net_cls.classid)");
  CHECK(w.log.empty());
}

TEST_CASE("EINVAL on an order-sensitive write retries after the next one") {
  FakeWriter w;
  w.refuse["memory.limit_in_bytes=500"] = EINVAL;
  execute({fw("memory", "memory.limit_in_bytes", "500", "l", true),
           fw("memory", "memory.memsw.limit_in_bytes", "900", "s"), fw("cpu", "cpu.shares", "2", "c")},
          w);
  CHECK(w.log == std::vector<std::string>{"memory.memsw.limit_in_bytes=900", "memory.limit_in_bytes=500",
                                          "cpu.shares=2"});
}

TEST_CASE("EINVAL without the retry flag fails at once") {
  FakeWriter w;
  w.refuse["cpu.shares=1"] = EINVAL;
  CHECK_THROWS_WITH(
      execute({fw("cpu", "cpu.shares", "1", "linux.resources.cpu.shares"), fw("cpu", "x", "1", "r")}, w),
      Catch::Contains("linux.resources.cpu.shares: write") && Catch::Contains("Invalid argument"));
  CHECK(w.log.empty());
}

TEST_CASE("fallback file when the first does not exist") {
  FakeWriter w;
  w.missing = {"io.bfq.weight"};
  execute(
      {FileWrite{"io", "io.bfq.weight", "100", "linux.resources.blockIO.weight", false, "io.weight", "910"}},
      w);
  CHECK(w.log == std::vector<std::string>{"io.weight=910"});
}

TEST_CASE("optional writes are skipped when the file does not exist") {
  FakeWriter w;
  w.missing = {"memory.swap.max"};
  FileWrite swap{"memory", "memory.swap.max", "max", "linux.resources.memory.swap", false, "", "", true};
  execute({swap, fw("memory", "memory.max", "max", "l")}, w);
  CHECK(w.log == std::vector<std::string>{"memory.max=max"});
  swap.optional = false;
  CHECK_THROWS_WITH(execute({swap}, w), Catch::Contains("No such file or directory"));
}
