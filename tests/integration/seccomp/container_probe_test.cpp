// The threat probe inside a real busybox container started by `agentrt run`, under agent-default and off.
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "container.hpp"
#include "kernel_entry.hpp"

using namespace agentrt::seccomp::itest;

namespace {

const char* kOps[] = {"ptrace",       "process_vm_readv",  "mount",         "unshare_user",
                      "init_module",  "open_by_handle_at", "socket_packet", "socket_alg",
                      "socket_vsock", "io_uring_setup",    "tiocsti",       "keyctl",
                      "bpf",          "perf_event_open",   "clone3",        "userfaultfd",
                      "socket_inet",  "socket_unix",       "getpid"};

std::map<std::string, std::string> results(const std::string& out) {
  std::map<std::string, std::string> m;
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    auto eq = line.find('=');
    if (eq != std::string::npos) m[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return m;
}

std::string probe_script(bool forkbomb) {
  std::string s;
  for (const char* op : kOps) s += std::string("echo \"") + op + "=$(/bin/probe " + op + " 2>/dev/null)\"; ";
  s += "/bin/probe int80_socketcall >/dev/null 2>&1; echo \"int80=$?\"; ";
  if (forkbomb) s += "echo \"forkbomb=$(/bin/probe forkbomb 2>/dev/null)\"; ";
  return s;
}

}  // namespace

TEST_CASE("container: agent-default stops the probe's attacks inside a real container", "[container]") {
  const Int80Entry entry = int80_entry();
  Bundle b;
  auto r = agentrt_run(b, "seccomp-probe-default-" + std::to_string(getpid()), "", probe_script(true));
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  auto m = results(r.out);
  std::map<std::string, std::string> want{{"ptrace", "EPERM"},
                                          {"process_vm_readv", "EPERM"},
                                          {"mount", "EPERM"},
                                          {"unshare_user", "EPERM"},
                                          {"init_module", "EPERM"},
                                          {"open_by_handle_at", "EPERM"},
                                          {"socket_packet", "EAFNOSUPPORT"},
                                          {"socket_alg", "EAFNOSUPPORT"},
                                          {"socket_vsock", "EAFNOSUPPORT"},
                                          {"io_uring_setup", "ENOSYS"},
                                          {"tiocsti", "EPERM"},
                                          {"keyctl", "EPERM"},
                                          {"bpf", "EPERM"},
                                          {"perf_event_open", "EPERM"},
                                          {"clone3", "ENOSYS"},
                                          {"userfaultfd", "EPERM"},
                                          {"socket_inet", "OK"},
                                          {"socket_unix", "OK"},
                                          {"getpid", "OK"},
                                          {"int80", int80_status(entry, true)},
                                          {"forkbomb", "EAGAIN"}};
  for (const auto& [op, errno_name] : want) {
    INFO("operation " << op);
    REQUIRE(m[op] == errno_name);
  }
}

TEST_CASE("container: under --profile off the same probes reach the kernel", "[container]") {
  const Int80Entry entry = int80_entry();
  Bundle b;
  auto r = agentrt_run(b, "seccomp-probe-off-" + std::to_string(getpid()), "off", probe_script(false));
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  auto m = results(r.out);
  // No filter: what the kernel itself answers for a root process without CAP_SYS_ADMIN/NET_RAW/SYS_PTRACE.
  REQUIRE(m["unshare_user"] == "OK");
  REQUIRE(m["io_uring_setup"] == "OK");
  REQUIRE(m["clone3"] == "EINVAL");
  REQUIRE(m["tiocsti"] != "EPERM");
  REQUIRE(m["keyctl"] == "OK");
  REQUIRE(m["int80"] == int80_status(entry, false));
  REQUIRE(m["socket_inet"] == "OK");
  REQUIRE(m["ptrace"] == "OK");  // a child of the probe, same user: allowed without CAP_SYS_PTRACE
}

TEST_CASE("container: an exec'd process gets the container's filter, stored at create or recompiled",
          "[container][exec]") {
  const Int80Entry entry = int80_entry();
  Bundle b;
  const std::string id = "seccomp-probe-exec-" + std::to_string(getpid());
  const std::string root = state_root(b);
  const std::string stored = root + "/" + id + "/seccomp.bpf";
  write_config(b, "exec sleep 1000");
  REQUIRE(agentrt_cmd(root, {"run", "-d", "-b", b.dir.string(), id}).exit_code == 0);
  auto exec_probes = [&] {
    auto r = agentrt_cmd(root, {"exec", id, "/bin/busybox", "sh", "-c", probe_script(false)});
    INFO(r.out);
    REQUIRE(r.exit_code == 0);
    return results(r.out);
  };
  CHECK(std::filesystem::exists(stored));
  auto from_stored = exec_probes();
  // A container whose state predates the stored program: exec compiles the filter from the config again.
  std::filesystem::remove(stored);
  auto recompiled = exec_probes();
  force_delete(b, id);

  CHECK(from_stored == recompiled);
  for (const char* op : {"ptrace", "mount", "unshare_user", "keyctl", "bpf"}) {
    INFO("operation " << op);
    CHECK(from_stored[op] == "EPERM");
  }
  CHECK(from_stored["socket_packet"] == "EAFNOSUPPORT");
  CHECK(from_stored["io_uring_setup"] == "ENOSYS");
  CHECK(from_stored["int80"] == int80_status(entry, true));
  CHECK(from_stored["getpid"] == "OK");
}

TEST_CASE("container: without a filter nothing is stored and exec'd processes reach the kernel",
          "[container][exec]") {
  const Int80Entry entry = int80_entry();
  Bundle b;
  const std::string id = "seccomp-probe-exec-off-" + std::to_string(getpid());
  const std::string root = state_root(b);
  write_config(b, "exec sleep 1000");
  REQUIRE(agentrt_cmd(root, {"--profile", "off", "run", "-d", "-b", b.dir.string(), id}).exit_code == 0);
  auto r = agentrt_cmd(root, {"exec", id, "/bin/busybox", "sh", "-c", probe_script(false)});
  bool stored = std::filesystem::exists(root + "/" + id + "/seccomp.bpf");
  force_delete(b, id);
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  CHECK_FALSE(stored);
  auto m = results(r.out);
  CHECK(m["unshare_user"] == "OK");
  CHECK(m["keyctl"] == "OK");
  CHECK(m["int80"] == int80_status(entry, false));
}
