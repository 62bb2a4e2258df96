// The audit module's pure parts: the supervisor's record lines, its call table, and reading the log back.
#include "audit/record.hpp"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "audit/call_table.hpp"
#include "audit/log.hpp"
#include "oci/support/error.hpp"
#include "oci/support/fs.hpp"

using namespace agentrt;
using namespace agentrt::audit;

TEST_CASE("record: a seccomp denial is one JSON line with every field", "[audit]") {
  SeccompDenial d;
  d.time_ns = 1796537718385156228;
  d.pid = 4242;
  d.comm = "pro\"be\\\x01";
  d.syscall = "mount";
  d.nr = 165;
  d.args[0] = 0x48a117;
  d.args[5] = ~0ull;
  d.errno_ret = EPERM;
  char buf[1024];
  size_t len = format_seccomp_denial(d, buf, sizeof buf);
  REQUIRE(len > 0);
  std::string line(buf, len);
  REQUIRE(line.back() == '\n');
  REQUIRE(line.find('\n') == line.size() - 1);
  auto j = nlohmann::json::parse(line);
  CHECK(j["time"] == "2026-12-06T06:15:18.385156228Z");
  CHECK(j["timeNs"] == 1796537718385156228);
  CHECK(j["source"] == "seccomp");
  CHECK(j["pid"] == 4242);
  CHECK(j["comm"] == "pro\"be\\\x01");
  CHECK(j["syscall"] == "mount");
  CHECK(j["nr"] == 165);
  CHECK(j["args"] == nlohmann::json{"0x48a117", "0x0", "0x0", "0x0", "0x0", "0xffffffffffffffff"});
  CHECK(j["errno"] == EPERM);
  CHECK(j["errnoName"] == "EPERM");
  CHECK(describe(j) ==
        "2026-12-06T06:15:18.385156228Z pid 4242 pro\"be\\\x01: mount(0x48a117, 0x0, 0x0, 0x0, 0x0, "
        "0xffffffffffffffff) = EPERM");
}

TEST_CASE("record: a line that does not fit is not written half", "[audit]") {
  SeccompDenial d;
  d.comm = "probe";
  d.syscall = "mount";
  char buf[64];
  CHECK(format_seccomp_denial(d, buf, sizeof buf) == 0);
}

TEST_CASE("record: egress denials and notices share the shape", "[audit]") {
  auto e = egress_record(1000000000, 7, "curl", "10.0.0.1:443", EPERM);
  CHECK(e["source"] == "egress");
  CHECK(e["time"] == "1970-01-01T00:00:01.000000000Z");
  CHECK(describe(e) == "1970-01-01T00:00:01.000000000Z pid 7 curl: connect 10.0.0.1:443 = EPERM");
  auto n = notice_record(0, "audit on");
  CHECK(describe(n) == "1970-01-01T00:00:00.000000000Z agentrt: audit on");
}

TEST_CASE("call table: round trip and malformed entries", "[audit]") {
  std::vector<AuditedCall> calls = {{165, 1, "mount"}, {435, 38, "clone3"}};
  std::string text = encode_calls(calls);
  CHECK(text == "165:1:mount,435:38:clone3");
  auto back = decode_calls(text);
  REQUIRE(back.size() == 2);
  CHECK(back[1].nr == 435);
  CHECK(back[1].errno_ret == 38);
  CHECK(back[1].name == "clone3");
  CHECK(find_call(back, 165)->name == "mount");
  CHECK(find_call(back, 1) == nullptr);
  CHECK(decode_calls("").empty());
  REQUIRE_THROWS_WITH(decode_calls("165:1"), Catch::Contains("malformed entry \"165:1\""));
  REQUIRE_THROWS_WITH(decode_calls("x:1:mount"), Catch::Contains("malformed entry"));
  REQUIRE_THROWS_WITH(decode_calls("1:1:"), Catch::Contains("malformed entry"));
}

TEST_CASE("log: the tail returns complete lines once, and the log outlives the state dir", "[audit]") {
  char tmpl[] = "/tmp/agentrt-audit-log-XXXXXX";
  std::string root = mkdtemp(tmpl);
  CHECK(log_path(root, "c1") == root + "/.audit/c1.jsonl");
  LogTail sources(log_path(root, "c1"));
  CHECK(sources.read_new().empty());  // no log yet
  fs::mkdir_all(root + "/.audit");
  int fd = ::open(log_path(root, "c1").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
  REQUIRE(fd >= 0);
  std::string a = R"({"timeNs":2,"source":"seccomp"})"
                  "\n"
                  R"({"timeNs":3)";
  REQUIRE(::write(fd, a.data(), a.size()) == static_cast<ssize_t>(a.size()));
  auto first = sources.read_new();
  REQUIRE(first.size() == 1);
  CHECK(first[0]["timeNs"] == 2);
  std::string b = ",\"source\":\"seccomp\"}\nnot json\n";
  REQUIRE(::write(fd, b.data(), b.size()) == static_cast<ssize_t>(b.size()));
  ::close(fd);
  auto second = sources.read_new();
  REQUIRE(second.size() == 2);
  CHECK(second[0]["timeNs"] == 3);
  CHECK(second[1]["unparsed"] == "not json");
  CHECK(sources.read_new().empty());
  std::filesystem::remove_all(root);
}
