// The Landlock filesystem policy as the agent meets it: a real container run by agentrt, the probe making
// one system call per attack, and the host's copy of the rootfs checked afterwards.
#include <catch2/catch.hpp>

#include "integration_support/census.hpp"
#include "policy/landlock_apply.hpp"
#include "policy_support.hpp"

using namespace policy_test;

namespace {

// Root with the capabilities that beat file permissions: Landlock must hold regardless.
void as_powerful_root(PolicyBundle& b) {
  json caps = {"CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_MKNOD", "CAP_CHOWN", "CAP_SYS_ADMIN", "CAP_KILL"};
  b.config()["process"]["capabilities"] = {{"bounding", caps}, {"effective", caps}, {"permitted", caps}};
  b.config()["process"]["noNewPrivileges"] = false;
}

const std::vector<std::pair<std::string, std::string>> kOutsideAttacks = {
    {"write", "fs_write /data/file.txt"},
    {"create", "fs_create /data/new.txt"},
    {"symlink_write", "fs_write /workspace/link"},  // /workspace/link -> /data/file.txt, made first
    {"rename_in", "fs_rename /data/file.txt /workspace/moved.txt"},
    {"rename_out", "fs_rename /workspace/inside.txt /data/inside.txt"},
    {"link_in", "fs_link /data/file.txt /workspace/hard.txt"},
    {"link_out", "fs_link /workspace/inside.txt /data/hard.txt"},
    {"chdir_up", "fs_chdir_write /workspace ../data/file.txt"},
    {"proc_root", "fs_write /proc/self/root/data/file.txt"},
    {"truncate", "fs_truncate /data/file.txt"},
    {"mknod_fifo", "fs_mknod_fifo /data/fifo"},
    {"mknod_char", "fs_mknod_char /data/null"},
    {"unlink", "fs_unlink /data/file.txt"},
    {"mkdir", "fs_mkdir /data/dir"},
    {"write_etc", "fs_write /etc/passwd"},
};

const std::vector<std::pair<std::string, std::string>> kInsideWrites = {
    {"in_create", "fs_create /workspace/new.txt"},
    {"in_write", "fs_write /workspace/inside.txt"},
    {"in_truncate", "fs_truncate /workspace/inside.txt"},
    {"in_mkdir", "fs_mkdir /workspace/dir"},
    {"in_rename", "fs_rename /workspace/new.txt /workspace/dir/new.txt"},
    {"in_fifo", "fs_mknod_fifo /workspace/fifo"},
    {"dev_null", "fs_write /dev/null"},
    {"read_outside", "fs_read /data/file.txt"},
};

std::string attack_script() {
  return "ln -s /data/file.txt /workspace/link; " + probe_script(kOutsideAttacks) +
         probe_script(kInsideWrites);
}

// What the kernel answers: EACCES for a right the domain lacks; EXDEV when a rename or link would move a file
// to where it gains rights (Landlock's refer check).
void require_outside_denied(const std::map<std::string, std::string>& m) {
  for (const auto& [name, op] : kOutsideAttacks) {
    INFO(name << ": " << op);
    const std::string& got = m.count(name) ? m.at(name) : "";
    bool refer = name == "link_in";
    CHECK((got == "EACCES" || (refer && got == "EXDEV")));
  }
}

void require_host_unchanged(const PolicyBundle& b) {
  CHECK(b.host_file("/data/file.txt") == "host data\n");
  CHECK(b.host_file("/etc/passwd").rfind("root:", 0) == 0);
  for (const char* p : {"/data/new.txt", "/data/inside.txt", "/data/hard.txt", "/data/fifo", "/data/null",
                        "/data/dir", "/workspace/moved.txt", "/workspace/hard.txt"}) {
    INFO(p);
    CHECK_FALSE(b.host_exists(p));
  }
}

bool landlock_abi_at_least(int abi) {
  return agentrt::policy::landlock_abi() >= abi;
}

}  // namespace

TEST_CASE("landlock: writes outside fs.write fail for root, inside work, host unchanged", "[landlock]") {
  if (!landlock_abi_at_least(3)) {
    WARN("not run: the kernel's Landlock ABI is below 3 (an explicit fs.write is refused there)");
    return;
  }
  for (const char* profile : {"off", "agent-default"}) {
    INFO("profile " << profile);
    PolicyRuntime rt(itest::profile_flags(profile));
    PolicyBundle b(std::string("landlock-threat-") + profile);
    as_powerful_root(b);
    b.annotate("run.agentrt.fs.write", "/workspace");
    b.script(attack_script());
    auto r = rt.run(b);
    INFO(r.all());
    REQUIRE(r.code == 0);
    auto m = itest::key_values(r.out);
    require_outside_denied(m);
    for (const auto& [name, op] : kInsideWrites) {
      INFO(name << ": " << op);
      CHECK(m[name] == "OK");
    }
    require_host_unchanged(b);
    CHECK(b.host_exists("/workspace/dir/new.txt"));
    CHECK(b.host_exists("/workspace/fifo"));
    CHECK(b.host_file("/workspace/inside.txt").empty());  // truncated inside
  }
}

TEST_CASE("landlock: exec processes are held to the container's fs.write", "[landlock]") {
  if (!landlock_abi_at_least(3)) {
    WARN("not run: the kernel's Landlock ABI is below 3 (an explicit fs.write is refused there)");
    return;
  }
  PolicyRuntime rt(itest::profile_flags("off"));
  PolicyBundle b("landlock-exec");
  as_powerful_root(b);
  b.annotate("run.agentrt.fs.write", "/workspace");
  b.script("sleep 60");
  auto c = rt.create(b);
  REQUIRE(c.code == 0);
  REQUIRE(rt({"start", b.id()}, 30).code == 0);
  auto r = rt({"exec", b.id(), "sh", "-c", attack_script()}, 60);
  INFO(r.all());
  REQUIRE(r.code == 0);
  auto m = itest::key_values(r.out);
  require_outside_denied(m);
  CHECK(m["in_create"] == "OK");
  CHECK(m["dev_null"] == "OK");
  require_host_unchanged(b);
  if (landlock_abi_at_least(6)) {
    // A Landlock domain cannot be joined: the exec'd process has its own. The container has its own pid
    // namespace, so no signal scope is set and exec can still signal the init (docker exec c kill -HUP 1).
    auto k =
        rt({"exec", b.id(), "sh", "-c", "kill -0 1 2>/dev/null && echo signal=OK || echo signal=denied"}, 30);
    CHECK(itest::key_values(k.out)["signal"] == "OK");
  }
}

TEST_CASE("landlock: fs.read hides everything but its paths and the write paths", "[landlock]") {
  if (!landlock_abi_at_least(1)) {
    WARN("not run: the kernel has no Landlock");
    return;
  }
  PolicyRuntime rt(itest::profile_flags("agent-default"));
  PolicyBundle b("landlock-read");
  b.annotate("run.agentrt.fs.read", "/bin,/etc");
  if (landlock_abi_at_least(3)) b.annotate("run.agentrt.fs.write", "/workspace");
  b.script(probe_script({{"read_data", "fs_read /data/file.txt"},
                         {"list_data", "fs_readdir /data"},
                         {"list_root", "fs_readdir /"},
                         {"exec_data", "fs_exec /data/tool"},
                         {"read_etc", "fs_read /etc/passwd"},
                         {"read_workspace", "fs_read /workspace/inside.txt"},
                         {"exec_bin", "fs_exec /bin/true"}}));
  auto r = rt.run(b);
  INFO(r.all());
  REQUIRE(r.code == 0);
  auto m = itest::key_values(r.out);
  CHECK(m["read_data"] == "EACCES");
  CHECK(m["list_data"] == "EACCES");
  CHECK(m["list_root"] == "EACCES");
  CHECK(m["exec_data"] == "EACCES");
  CHECK(m["read_etc"] == "OK");
  CHECK(m["exec_bin"] == "");  // /bin/true ran and printed nothing
  if (landlock_abi_at_least(3)) CHECK(m["read_workspace"] == "OK");
}
