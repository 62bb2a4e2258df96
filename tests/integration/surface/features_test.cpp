// `features`: everything it lists is accepted by the runtime in a real container.
#include <linux/capability.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <future>
#include <map>
#include <sstream>

#include "support.hpp"

using namespace surface_test;

namespace {

json features() {
  auto r = execute({AGENTRT_BIN, "features"});
  REQUIRE(r.code == 0);
  auto j = json::parse(r.out, nullptr, false);
  REQUIRE(!j.is_discarded());
  return j;
}

// Runs `true` in a container whose config tweak sets up; returns the run result.
Result run_true(const std::string& tag, const std::function<void(Bundle&)>& tweak) {
  Runtime rt(AGENTRT_BIN, tag, agentrt_globals());
  Bundle b(tag);
  b.args({"true"});
  tweak(b);
  return rt.run(b);
}

bool is_recursive_or_bind(const std::string& opt) {
  static const std::vector<std::string> bind_only = {
      "bind",         "rbind",      "rro",       "rrw",         "rnosuid",      "rsuid",
      "rnodev",       "rdev",       "rnoexec",   "rexec",       "rnoatime",     "ratime",
      "rnodiratime",  "rdiratime",  "rrelatime", "rnorelatime", "rstrictatime", "rnostrictatime",
      "rnosymfollow", "rsymfollow", "remount"};
  return std::find(bind_only.begin(), bind_only.end(), opt) != bind_only.end();
}

json mount_with(const std::string& opt, const stdfs::path& src, int i) {
  auto dest = "/mnt/o" + std::to_string(i);
  if (is_recursive_or_bind(opt))
    return {{"destination", dest}, {"type", "bind"}, {"source", src.string()}, {"options", {"rbind", opt}}};
  return {{"destination", dest}, {"type", "tmpfs"}, {"source", "tmpfs"}, {"options", {opt}}};
}

}  // namespace

TEST_CASE("features lists hooks, oci versions and the basics", "[features]") {
  auto f = features();
  auto hooks = f.at("hooks").get<std::vector<std::string>>();
  for (const char* h :
       {"prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"})
    CHECK(std::find(hooks.begin(), hooks.end(), h) != hooks.end());
  auto max = f.at("ociVersionMax").get<std::string>();
  CHECK(max.rfind("1.", 0) == 0);
  CHECK(f.at("ociVersionMin").get<std::string>().rfind("1.0", 0) == 0);
  auto r = run_true("ft-ver", [&](Bundle& b) { b.config()["ociVersion"] = max; });
  INFO(r.err);
  CHECK(r.code == 0);
}

TEST_CASE("every namespace features lists can be created", "[features]") {
  auto f = features();
  for (const auto& ns : f.at("linux").at("namespaces")) {
    auto name = ns.get<std::string>();
    DYNAMIC_SECTION(name) {
      auto r = run_true("ft-ns", [&](Bundle& b) {
        auto& list = b.config()["linux"]["namespaces"];
        bool present = false;
        for (const auto& n : list) present = present || n.at("type") == name;
        if (!present) list.push_back({{"type", name}});
        if (name == "user") {
          b.config()["linux"]["uidMappings"] = {{{"containerID", 0}, {"hostID", 0}, {"size", 65536}}};
          b.config()["linux"]["gidMappings"] = {{{"containerID", 0}, {"hostID", 0}, {"size", 65536}}};
        }
        b.args({"sh", "-c",
                "readlink /proc/self/ns/" + std::string(name == "network" ? "net"
                                                        : name == "mount" ? "mnt"
                                                                          : name)});
      });
      INFO(r.err);
      CHECK(r.code == 0);
      CHECK(!r.out.empty());
    }
  }
}

TEST_CASE("every capability features lists is accepted in a config", "[features]") {
  // Capability numbers from the kernel's uapi header, to compare with what the container reports.
  static const std::map<std::string, int> numbers = {
      {"CAP_CHOWN", CAP_CHOWN},
      {"CAP_DAC_OVERRIDE", CAP_DAC_OVERRIDE},
      {"CAP_DAC_READ_SEARCH", CAP_DAC_READ_SEARCH},
      {"CAP_FOWNER", CAP_FOWNER},
      {"CAP_FSETID", CAP_FSETID},
      {"CAP_KILL", CAP_KILL},
      {"CAP_SETGID", CAP_SETGID},
      {"CAP_SETUID", CAP_SETUID},
      {"CAP_SETPCAP", CAP_SETPCAP},
      {"CAP_LINUX_IMMUTABLE", CAP_LINUX_IMMUTABLE},
      {"CAP_NET_BIND_SERVICE", CAP_NET_BIND_SERVICE},
      {"CAP_NET_BROADCAST", CAP_NET_BROADCAST},
      {"CAP_NET_ADMIN", CAP_NET_ADMIN},
      {"CAP_NET_RAW", CAP_NET_RAW},
      {"CAP_IPC_LOCK", CAP_IPC_LOCK},
      {"CAP_IPC_OWNER", CAP_IPC_OWNER},
      {"CAP_SYS_MODULE", CAP_SYS_MODULE},
      {"CAP_SYS_RAWIO", CAP_SYS_RAWIO},
      {"CAP_SYS_CHROOT", CAP_SYS_CHROOT},
      {"CAP_SYS_PTRACE", CAP_SYS_PTRACE},
      {"CAP_SYS_PACCT", CAP_SYS_PACCT},
      {"CAP_SYS_ADMIN", CAP_SYS_ADMIN},
      {"CAP_SYS_BOOT", CAP_SYS_BOOT},
      {"CAP_SYS_NICE", CAP_SYS_NICE},
      {"CAP_SYS_RESOURCE", CAP_SYS_RESOURCE},
      {"CAP_SYS_TIME", CAP_SYS_TIME},
      {"CAP_SYS_TTY_CONFIG", CAP_SYS_TTY_CONFIG},
      {"CAP_MKNOD", CAP_MKNOD},
      {"CAP_LEASE", CAP_LEASE},
      {"CAP_AUDIT_WRITE", CAP_AUDIT_WRITE},
      {"CAP_AUDIT_CONTROL", CAP_AUDIT_CONTROL},
      {"CAP_SETFCAP", CAP_SETFCAP},
      {"CAP_MAC_OVERRIDE", CAP_MAC_OVERRIDE},
      {"CAP_MAC_ADMIN", CAP_MAC_ADMIN},
      {"CAP_SYSLOG", CAP_SYSLOG},
      {"CAP_WAKE_ALARM", CAP_WAKE_ALARM},
      {"CAP_BLOCK_SUSPEND", CAP_BLOCK_SUSPEND},
      {"CAP_AUDIT_READ", CAP_AUDIT_READ},
      {"CAP_PERFMON", CAP_PERFMON},
      {"CAP_BPF", CAP_BPF},
      {"CAP_CHECKPOINT_RESTORE", CAP_CHECKPOINT_RESTORE},
  };
  auto caps = features().at("linux").at("capabilities").get<std::vector<std::string>>();
  REQUIRE(caps.size() > 30);
  // This host's bounding set may lack some (it does here: CAP_SYS_RESOURCE): the container can only hold
  // what the runtime itself holds, so effective/permitted get the intersection; bounding gets the full list.
  auto host_bnd = std::stoull(*status_field(read_text("/proc/self/status"), "CapBnd"), nullptr, 16);
  json held = json::array();
  unsigned long long all_mask = 0, held_mask = 0;
  for (const auto& c : caps) {
    INFO(c);
    REQUIRE(numbers.count(c) == 1);
    auto bit = 1ULL << numbers.at(c);
    all_mask |= bit;
    if (host_bnd & bit) {
      held.push_back(c);
      held_mask |= bit;
    }
  }
  auto r = run_true("ft-caps", [&](Bundle& b) {
    auto& pc = b.config()["process"]["capabilities"];
    pc["bounding"] = caps;
    pc["effective"] = held;
    pc["permitted"] = held;
    b.args({"cat", "/proc/self/status"});
  });
  INFO(r.err);
  REQUIRE(r.code == 0);
  CHECK(std::stoull(*status_field(r.out, "CapEff"), nullptr, 16) == held_mask);
  CHECK(std::stoull(*status_field(r.out, "CapBnd"), nullptr, 16) == (all_mask & host_bnd));
}

TEST_CASE("every mount option features lists is accepted in a tmpfs or bind mount", "[features]") {
  auto opts = features().at("mountOptions").get<std::vector<std::string>>();
  REQUIRE(!opts.empty());
  Bundle src("ft-mnt-src");
  auto all = run_true("ft-mnt", [&](Bundle& b) {
    for (size_t i = 0; i < opts.size(); ++i)
      b.config()["mounts"].push_back(mount_with(opts[i], src.dir(), int(i)));
    b.args({"cat", "/proc/self/mountinfo"});
  });
  if (all.code == 0) {
    // mountpoint -> per-mount options (field 6 of mountinfo)
    std::map<std::string, std::string> mounted;
    std::istringstream in(all.out);
    for (std::string line; std::getline(in, line);) {
      std::istringstream f(line);
      std::string id, parent, devno, root, point, options;
      f >> id >> parent >> devno >> root >> point >> options;
      mounted[point] = "," + options + ",";
    }
    // Flags the kernel shows per mount must show up on the mount that asked for them.
    const std::vector<std::string> visible = {"ro", "nosuid", "nodev", "noexec", "noatime", "nosymfollow"};
    for (size_t i = 0; i < opts.size(); ++i) {
      auto point = "/mnt/o" + std::to_string(i);
      INFO("mount option " << opts[i] << " at " << point);
      REQUIRE(mounted.count(point) == 1);
      auto plain = opts[i][0] == 'r' && opts[i] != "ro" && opts[i] != "rw" && opts[i] != "relatime" &&
                           opts[i] != "remount" && opts[i] != "rbind" && opts[i] != "rprivate" &&
                           opts[i] != "rshared" && opts[i] != "rslave" && opts[i] != "runbindable"
                       ? opts[i].substr(1)
                       : opts[i];
      if (std::find(visible.begin(), visible.end(), plain) != visible.end())
        CHECK(contains(mounted[point], "," + plain + ","));
    }
    return;
  }
  // Find which ones fail, one container each.
  for (size_t i = 0; i < opts.size(); ++i) {
    auto r = run_true("ft-mnt1",
                      [&](Bundle& b) { b.config()["mounts"].push_back(mount_with(opts[i], src.dir(), 0)); });
    INFO("mount option " << opts[i] << ": " << r.err);
    CHECK(r.code == 0);
  }
}

TEST_CASE("every seccomp action and operator features lists is accepted in a config", "[features]") {
  auto sc = features().at("linux").at("seccomp");
  auto actions = sc.at("actions").get<std::vector<std::string>>();
  auto ops = sc.at("operators").get<std::vector<std::string>>();
  REQUIRE(!actions.empty());
  REQUIRE(!ops.empty());
  // Syscalls `true` never makes, one per rule so every action and operator gets its own.
  std::vector<std::string> spare = {"acct",
                                    "swapon",
                                    "swapoff",
                                    "syslog",
                                    "quotactl",
                                    "kexec_load",
                                    "init_module",
                                    "delete_module",
                                    "sethostname",
                                    "setdomainname",
                                    "settimeofday",
                                    "adjtimex",
                                    "lookup_dcookie",
                                    "perf_event_open",
                                    "fanotify_init",
                                    "name_to_handle_at",
                                    "open_by_handle_at",
                                    "add_key"};
  REQUIRE(actions.size() + ops.size() <= spare.size());
  ConsoleSocket listener("ft-notify");
  auto accepted = std::async(std::launch::async, [&] { return listener.accept_fd(15000); });
  auto r = run_true("ft-seccomp", [&](Bundle& b) {
    json rules = json::array();
    size_t k = 0;
    for (const auto& a : actions) {
      json rule = {{"names", {spare[k++]}}, {"action", a}};
      if (a == "SCMP_ACT_ERRNO") rule["errnoRet"] = 1;
      rules.push_back(rule);
    }
    for (const auto& op : ops)
      rules.push_back({{"names", {spare[k++]}},
                       {"action", "SCMP_ACT_ERRNO"},
                       {"args", {{{"index", 0}, {"value", 1}, {"valueTwo", 1}, {"op", op}}}}});
    b.config()["linux"]["seccomp"] = {{"defaultAction", "SCMP_ACT_ALLOW"},
                                      {"architectures", {"SCMP_ARCH_X86_64"}},
                                      {"listenerPath", listener.path().string()},
                                      {"syscalls", rules}};
  });
  INFO(r.err);
  CHECK(r.code == 0);
  bool wants_notify = std::find(actions.begin(), actions.end(), "SCMP_ACT_NOTIFY") != actions.end();
  int fd = accepted.get();
  if (wants_notify) CHECK(fd >= 0);
  if (fd >= 0) close(fd);
}
