#include "runtime/criu_plan.hpp"

#include <algorithm>
#include <catch2/catch.hpp>

#include "oci/parse.hpp"
#include "oci/support/error.hpp"
#include "runtime/criu_policy.hpp"

using namespace agentrt::runtime::criu;
using Argv = std::vector<std::string>;

namespace {

// The value following flag in argv ("" when absent); all values when a flag repeats.
Argv values_of(const Argv& argv, const std::string& flag) {
  Argv out;
  for (size_t i = 0; i + 1 < argv.size(); ++i)
    if (argv[i] == flag) out.push_back(argv[i + 1]);
  return out;
}

bool has(const Argv& argv, const std::string& flag) {
  return std::find(argv.begin(), argv.end(), flag) != argv.end();
}

ContainerFacts running_container() {
  ContainerFacts f;
  f.pid = 4242;
  f.root = "/bundles/c1/rootfs";
  f.binds = {{"/data", "/srv/data"}};
  f.masked_files = {"/proc/kcore"};
  f.has_masked_paths = true;
  f.devices = {"/dev/null"};
  f.freeze_cgroup = "/sys/fs/cgroup/c1";
  return f;
}

const char* kSpec = R"({
  "ociVersion": "1.0.2",
  "process": {"args": ["sh"], "cwd": "/"},
  "root": {"path": "rootfs"},
  "mounts": [
    {"destination": "/proc", "type": "proc", "source": "proc"},
    {"destination": "/data", "type": "none", "source": "/srv/data", "options": ["rbind", "ro"]},
    {"destination": "/cfg", "type": "bind", "source": "conf"}
  ],
  "linux": {
    "namespaces": [{"type": "pid"}, {"type": "mount"}, {"type": "network", "path": "/run/netns/n1"},
                   {"type": "uts", "path": "/proc/1/ns/uts"}],
    "maskedPaths": ["/proc/kcore"],
    "devices": [{"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229}]
  }
})";

}  // namespace

TEST_CASE(
    "dump: runc's default checkpoint is a dump of the init's tree under its root, logged in the images") {
  CheckpointOptions o;
  o.image_path = "/ckpt";
  Argv a = dump_args(o, running_container());
  CHECK(a.at(0) == "dump");
  CHECK(values_of(a, "--tree") == Argv{"4242"});
  CHECK(values_of(a, "--root") == Argv{"/bundles/c1/rootfs"});
  CHECK(values_of(a, "--images-dir") == Argv{"/ckpt"});
  CHECK(values_of(a, "--work-dir") == Argv{"/ckpt"});  // runc: the work path defaults to the image path
  CHECK(values_of(a, "--log-file") == Argv{"dump.log"});
  CHECK(has(a, "--manage-cgroups"));
  CHECK(values_of(a, "--freeze-cgroup") == Argv{"/sys/fs/cgroup/c1"});
  CHECK_FALSE(has(a, "--leave-running"));
  CHECK_FALSE(has(a, "--tcp-established"));
  CHECK_FALSE(has(a, "--file-locks"));
  CHECK_FALSE(has(a, "--track-mem"));
}

TEST_CASE("dump: bind mounts, masked files and devices are declared external by their container path") {
  CheckpointOptions o;
  o.image_path = "/ckpt";
  Argv ext = values_of(dump_args(o, running_container()), "--external");
  CHECK(ext == Argv{"mnt[/data]:/data", "mnt[/proc/kcore]:/dev/null", "mnt[/dev/null]:/dev/null"});
}

TEST_CASE("dump: each of runc's flags becomes its criu option") {
  CheckpointOptions o;
  o.image_path = "/ckpt";
  o.work_path = "/work";
  o.leave_running = o.tcp_established = o.file_locks = true;
  o.cgroup_mode = CgroupMode::full;
  Argv a = dump_args(o, running_container());
  CHECK(values_of(a, "--work-dir") == Argv{"/work"});
  CHECK(has(a, "--leave-running"));
  CHECK(has(a, "--tcp-established"));
  CHECK(has(a, "--file-locks"));
  CHECK(has(a, "--manage-cgroups=full"));
  CHECK_FALSE(has(a, "--manage-cgroups"));
}

TEST_CASE("pre-dump: memory only with tracking, a parent becomes --prev-images-dir") {
  CheckpointOptions o;
  o.image_path = "/ckpt/2";
  o.pre_dump = true;
  o.leave_running = true;  // a pre-dump always leaves the tasks running: criu takes no such flag then
  o.parent_path = "../1";
  Argv a = dump_args(o, running_container());
  CHECK(a.at(0) == "pre-dump");
  CHECK(values_of(a, "--log-file") == Argv{"pre-dump.log"});
  CHECK(has(a, "--track-mem"));
  CHECK(values_of(a, "--prev-images-dir") == Argv{"../1"});
  CHECK_FALSE(has(a, "--leave-running"));
  CHECK(values_of(a, "--external").empty());

  CheckpointOptions final_dump;
  final_dump.image_path = "/ckpt/3";
  final_dump.parent_path = "../2";
  Argv f = dump_args(final_dump, running_container());
  CHECK(f.at(0) == "dump");
  CHECK(has(f, "--track-mem"));
  CHECK(values_of(f, "--prev-images-dir") == Argv{"../2"});
}

TEST_CASE("dump: joined net and pid namespaces are external under runc's keys; others are criu's") {
  CheckpointOptions o;
  o.image_path = "/ckpt";
  ContainerFacts f = running_container();
  f.binds.clear();
  f.masked_files.clear();
  f.devices.clear();
  f.joined = {{"net", "/run/netns/n1", 4026532001, -1}, {"uts", "/proc/1/ns/uts", 4026531838, -1}};
  CHECK(values_of(dump_args(o, f), "--external") == Argv{"net[4026532001]:extRootNetNS"});
  CHECK(external_namespace_key("pid") == "extRootPidNS");
}

TEST_CASE("dump without an image path is refused naming the flag") {
  CHECK_THROWS_WITH(dump_args(CheckpointOptions{}, running_container()), Catch::Contains("--image-path"));
}

TEST_CASE("restore: stopped, detached sibling of criu with a pid file, into the container's cgroup and root") {
  RestoreOptions o;
  o.image_path = "/ckpt";
  ContainerFacts f;
  f.root = "/run/agentrt/c1/criu-root";
  f.binds = {{"/data", "/srv/data"}};
  f.has_masked_paths = true;
  f.devices = {"/dev/null"};
  f.cgroup_root = "/c1";
  f.pid_file = "/run/agentrt/c1/criu-restore.pid";
  f.stdio = {"/dev/null", "pipe:[1234]", "pipe:[1235]"};
  f.joined = {{"net", "/run/netns/n1", 0, 7}, {"uts", "/proc/1/ns/uts", 0, -1}};
  Argv a = restore_args(o, f);
  CHECK(a.at(0) == "restore");
  CHECK(has(a, "--restore-detached"));
  CHECK(has(a, "--restore-sibling"));
  CHECK(has(a, "--leave-stopped"));
  CHECK(values_of(a, "--root") == Argv{"/run/agentrt/c1/criu-root"});
  CHECK(values_of(a, "--log-file") == Argv{"restore.log"});
  CHECK(values_of(a, "--pidfile") == Argv{"/run/agentrt/c1/criu-restore.pid"});
  CHECK(values_of(a, "--cgroup-root") == Argv{"/c1"});
  CHECK(values_of(a, "--external") ==
        Argv{"mnt[/data]:/srv/data", "mnt[/dev/null]:/dev/null", "mnt[/dev/null]:/dev/null"});
  CHECK(values_of(a, "--inherit-fd") == Argv{"fd[7]:extRootNetNS", "fd[1]:pipe:[1234]", "fd[2]:pipe:[1235]"});
  CHECK(values_of(a, "--join-ns") == Argv{"uts:/proc/1/ns/uts"});
}

TEST_CASE("restore: a joined cgroup namespace and an unopened net namespace are refused") {
  RestoreOptions o;
  o.image_path = "/ckpt";
  ContainerFacts f;
  f.joined = {{"cgroup", "/proc/1/ns/cgroup", 0, -1}};
  CHECK_THROWS_WITH(restore_args(o, f), Catch::Contains("cgroup namespace"));
  f.joined = {{"net", "/run/netns/n1", 0, -1}};
  CHECK_THROWS_WITH(restore_args(o, f), Catch::Contains("linux.namespaces"));
}

TEST_CASE("--manage-cgroups-mode takes runc's four names and names itself on anything else") {
  CHECK(parse_cgroup_mode("soft") == CgroupMode::soft);
  CHECK(parse_cgroup_mode("full") == CgroupMode::full);
  CHECK(parse_cgroup_mode("strict") == CgroupMode::strict);
  CHECK(parse_cgroup_mode("ignore") == CgroupMode::ignore);
  CHECK_THROWS_WITH(parse_cgroup_mode("hard"),
                    Catch::Contains("--manage-cgroups-mode") && Catch::Contains("hard"));
}

TEST_CASE("facts from a spec: bind sources against the bundle, devices, masked paths, joined namespaces") {
  auto spec = agentrt::oci::parse_spec(nlohmann::json::parse(kSpec));
  ContainerFacts f = facts_from_spec(spec, "/bundles/c1");
  REQUIRE(f.binds.size() == 2);
  CHECK(f.binds[0].destination == "/data");
  CHECK(f.binds[0].source == "/srv/data");
  CHECK(f.binds[1].destination == "/cfg");
  CHECK(f.binds[1].source == "/bundles/c1/conf");
  CHECK(f.has_masked_paths);
  CHECK(std::count(f.devices.begin(), f.devices.end(), "/dev/null") == 1);
  CHECK(std::count(f.devices.begin(), f.devices.end(), "/dev/fuse") == 1);
  REQUIRE(f.joined.size() == 2);
  CHECK(f.joined[0].type == "net");
  CHECK(f.joined[0].path == "/run/netns/n1");
  CHECK(f.joined[1].type == "uts");
}

TEST_CASE("policy: read from /proc status; any loss of seccomp, no_new_privs or a capability gain is named") {
  const char* status =
      "Name:\tsh\nNoNewPrivs:\t1\nSeccomp:\t2\nSeccomp_filters:\t2\nCapPrm:\t00000000a80425fb\n"
      "CapEff:\t00000000a80425fb\nCapBnd:\t00000000a80425fb\n";
  ProcessPolicy before = parse_process_policy(status);
  CHECK(before.seccomp_mode == 2);
  CHECK(before.seccomp_filters == 2);
  CHECK(before.no_new_privs);
  CHECK(before.cap_bounding == 0xa80425fbULL);
  CHECK(policy_losses(before, policy_from_json(to_json(before))).empty());

  ProcessPolicy after = before;
  after.seccomp_mode = 0;
  after.seccomp_filters = 0;
  after.no_new_privs = false;
  after.cap_effective |= 1ULL << 21;  // CAP_SYS_ADMIN
  auto losses = policy_losses(before, after);
  REQUIRE(losses.size() == 4);
  CHECK_THAT(losses[0], Catch::Contains("seccomp mode: 2 at checkpoint, 0 restored"));
  CHECK_THAT(losses[1], Catch::Contains("seccomp filters: 2 at checkpoint, 0 restored"));
  CHECK_THAT(losses[2], Catch::Contains("no_new_privs"));
  CHECK_THAT(losses[3], Catch::Contains("effective capabilities"));

  ProcessPolicy tighter = before;
  tighter.seccomp_filters = 3;
  tighter.cap_bounding = 0;
  CHECK(policy_losses(before, tighter).empty());
  CHECK_THROWS_WITH(parse_process_policy("Name:\tsh\n"), Catch::Contains("Seccomp"));
}
