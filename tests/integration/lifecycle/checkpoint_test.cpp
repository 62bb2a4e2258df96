// checkpoint / restore with CRIU. Where criu cannot run (this project's 6.18 host: "vdso: Unexpected rt vDSO
// area bounds") the failure path: a clear error naming criu's log, the container untouched, nothing left.
// Where it runs (the nested 6.1 kernel, tests/v2vm/run_criu.sh) the hidden [.criu-nested] checks, each
// against runc first: a counter continues its count, --leave-running, and the threat probe and seccomp status
// give the same answers before and after.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "integration/lifecycle/support.hpp"
#include "integration_support/wait.hpp"

using namespace lifecycle_test;

namespace {

const char* kCounter =
    "i=0; while :; do i=$((i+1)); echo $i > /ctl/count.tmp; mv /ctl/count.tmp /ctl/count; "
    "sleep 0.1; done";

long count_of(const Bundle& b) {
  try {
    return std::stol(read_text(b.ctl() / "count"));
  } catch (const std::exception&) {
    return -1;
  }
}

// Waits until the count passes `above`; returns the first value seen past it (-1 on timeout).
long wait_count_above(const Bundle& b, long above, double timeout_s = 20) {
  long seen = -1;
  eventually([&] { return (seen = count_of(b)) > above; }, timeout_s, std::chrono::milliseconds(10));
  return seen > above ? seen : -1;
}

// A criu stand-in whose `check` fails the way Debian's criu 3.17 does on a 6.18 kernel: it logs the error
// into the log file it is given and exits 1.
stdfs::path fake_failing_criu(const stdfs::path& dir) {
  stdfs::path p = dir / "criu";
  write_text(
      p,
      "#!/bin/sh\n"
      "work=.; log=criu.log\n"
      "while [ $# -gt 0 ]; do case $1 in --work-dir) work=$2;; --log-file) log=$2;; esac; shift; done\n"
      "echo 'Error (criu/vdso.c:381): vdso: Unexpected rt vDSO area bounds' > \"$work/$log\"\n"
      "exit 1\n");
  chmod(p.c_str(), 0755);
  return p;
}

Runtime with_criu(const Fixture& fx, const std::string& criu) {
  return Runtime(agentrt_bin(), fx.base() / "agentrt-root", {"--profile=off", "--criu", criu});
}

// The host's real criu fails `criu check` here, or the failure-path test cannot be shown with it.
bool real_criu_check_fails(const stdfs::path& dir) {
  return execute({"criu", "check", "--work-dir", dir.string(), "--log-file", "probe-check.log"}).code != 0;
}

// What a checkpoint directory holds besides criu's images, for tests that fail before criu reads them.
void write_fake_checkpoint(const stdfs::path& img) {
  stdfs::create_directories(img);
  write_text(img / "descriptors.json", R"(["/dev/null","/dev/null","/dev/null"])");
  write_text(img / "agentrt-policy.json",
             R"({"seccompMode":2,"seccompFilters":1,"noNewPrivileges":true,"capBounding":"0",)"
             R"("capEffective":"0","capPermitted":"0"})");
}

const std::vector<const char*> kSeccompFields = {"Seccomp", "Seccomp_filters", "CapBnd"};

std::string confinement(pid_t pid, std::vector<const char*> fields = {"Seccomp", "Seccomp_filters",
                                                                      "NoNewPrivs", "CapBnd"}) {
  std::string status = read_text("/proc/" + std::to_string(pid) + "/status");
  std::string out;
  for (const char* f : fields) out += std::string(f) + "=" + status_field(status, f).value_or("?") + " ";
  return out;
}

std::string read_text_if(const stdfs::path& p) {
  return stdfs::exists(p) ? "\n" + p.string() + ":\n" + read_text(p) : "";
}

}  // namespace

TEST_CASE("checkpoint and restore without criu fail naming criu, leaving the container as it was",
          "[checkpoint]") {
  Fixture fx;
  auto& b = fx.bundle("ck-nocriu");
  b.sh(kCounter).add_ctl_mount().save();
  auto rt = with_criu(fx, "/nonexistent/criu");
  REQUIRE(rt({"run", "-d", "-b", b.dir().string(), b.id()}).code == 0);
  REQUIRE(wait_count_above(b, 0) > 0);
  auto r = rt({"checkpoint", "--image-path", (fx.base() / "img").string(), b.id()});
  CHECK(r.code != 0);
  CHECK_THAT(r.err, Catch::Contains("criu not found at --criu /nonexistent/criu"));
  CHECK(rt.status(b.id()) == "running");
  long c = count_of(b);
  CHECK(wait_count_above(b, c) > c);  // never frozen
  CHECK_FALSE(stdfs::exists(fx.base() / "img"));

  auto restored = rt(
      {"restore", "-d", "-b", b.dir().string(), "--image-path", (fx.base() / "img").string(), b.id() + "-r"});
  CHECK(restored.code != 0);
  CHECK_THAT(restored.err, Catch::Contains("criu not found"));
  CHECK(fx.leaks(b.id() + "-r").empty());
  REQUIRE(rt({"delete", "-f", b.id()}).code == 0);
  fx.check_no_leaks(b.id());
}

TEST_CASE("when criu check fails, checkpoint and restore name criu's log and quote it; nothing is left",
          "[checkpoint]") {
  Fixture fx;
  auto& b = fx.bundle("ck-check");
  b.sh(kCounter).add_ctl_mount().save();
  auto rt = with_criu(fx, fake_failing_criu(fx.base()).string());
  REQUIRE(rt({"run", "-d", "-b", b.dir().string(), b.id()}).code == 0);
  REQUIRE(wait_count_above(b, 0) > 0);
  stdfs::path img = fx.base() / "img";
  auto r = rt({"checkpoint", "--image-path", img.string(), b.id()});
  CHECK(r.code != 0);
  CHECK_THAT(r.err, Catch::Contains("criu cannot checkpoint or restore on this kernel"));
  CHECK_THAT(r.err, Catch::Contains("Unexpected rt vDSO area bounds"));
  CHECK_THAT(r.err, Catch::Contains("criu log: " + (img / "criu-check.log").string()));
  CHECK(rt.status(b.id()) == "running");

  // The restore fails before it makes anything: no state dir, cgroup, mount or process of the new id.
  stdfs::path work = fx.base() / "work";
  write_fake_checkpoint(img);
  auto restored = rt({"restore", "-d", "-b", b.dir().string(), "--image-path", img.string(), "--work-path",
                      work.string(), b.id() + "-r"});
  CHECK(restored.code != 0);
  CHECK_THAT(restored.err, Catch::Contains("criu log: " + (work / "criu-check.log").string()));
  CHECK(fx.leaks(b.id() + "-r").empty());
  CHECK_FALSE(rt.state(b.id() + "-r"));
  REQUIRE(rt({"delete", "-f", b.id()}).code == 0);
  fx.check_no_leaks(b.id());
}

TEST_CASE("restore of a directory that holds no checkpoint names --image-path", "[checkpoint]") {
  Fixture fx;
  auto& b = fx.bundle("ck-noimg");
  b.sh(kCounter).add_ctl_mount().save();
  auto rt = with_criu(fx, fake_failing_criu(fx.base()).string());
  auto r =
      rt({"restore", "-d", "-b", b.dir().string(), "--image-path", (fx.base() / "none").string(), b.id()});
  CHECK(r.code != 0);
  CHECK_THAT(r.err, Catch::Contains("--image-path") && Catch::Contains("holds no checkpoint"));
  auto bad = rt({"checkpoint", "--manage-cgroups-mode", "hard", b.id()});
  CHECK(bad.code != 0);
  CHECK_THAT(bad.err, Catch::Contains("--manage-cgroups-mode"));
  fx.check_no_leaks(b.id());
}

// The host's own criu, on a kernel it cannot run on (run explicitly: tests/v2vm/run_criu.sh host).
TEST_CASE("restore of a container with a terminal is refused with the reason, leaving nothing",
          "[checkpoint]") {
  Fixture fx;
  auto& b = fx.bundle("ck-tty");
  b.config()["process"]["terminal"] = true;
  b.sh(kCounter).save();
  stdfs::path img = fx.base() / "img";
  write_fake_checkpoint(img);
  auto rt = fx.agentrt();
  auto r = rt({"restore", "-d", "-b", b.dir().string(), "--image-path", img.string(), b.id()});
  CHECK(r.code != 0);
  CHECK_THAT(r.err, Catch::Contains("process.terminal") && Catch::Contains("orphan-pts-master"));
  CHECK_FALSE(rt.state(b.id()));
  CHECK(fx.leaks(b.id()).empty());
}

TEST_CASE(
    "with the host's criu failing on this kernel, checkpoint names criu's log and the container runs on",
    "[.criu-host]") {
  Fixture fx;
  if (!real_criu_check_fails(fx.base()))
    FAIL(
        "criu check passes on this kernel: the failure path cannot be shown with the real criu here; the "
        "[.criu-nested] checks are the ones to run");
  auto& b = fx.bundle("ck-host");
  b.sh(kCounter).add_ctl_mount().save();
  auto rt = fx.agentrt();
  REQUIRE(rt({"run", "-d", "-b", b.dir().string(), b.id()}).code == 0);
  REQUIRE(wait_count_above(b, 0) > 0);
  stdfs::path img = fx.base() / "img";
  auto r = rt({"checkpoint", "--image-path", img.string(), b.id()});
  CHECK(r.code != 0);
  CHECK_THAT(r.err, Catch::Contains("vdso"));
  CHECK_THAT(r.err, Catch::Contains("criu log: " + (img / "criu-check.log").string()));
  CHECK(stdfs::exists(img / "criu-check.log"));
  CHECK(rt.status(b.id()) == "running");
  long c = count_of(b);
  CHECK(wait_count_above(b, c) > c);
  write_fake_checkpoint(img);
  auto restored = rt({"restore", "-d", "-b", b.dir().string(), "--image-path", img.string(), b.id() + "-r"});
  CHECK(restored.code != 0);
  CHECK_THAT(restored.err, Catch::Contains("criu log: "));
  CHECK(fx.leaks(b.id() + "-r").empty());
  REQUIRE(rt({"delete", "-f", b.id()}).code == 0);
  fx.check_no_leaks(b.id());
}

// ---- In a kernel where criu runs (tests/v2vm/run_criu.sh): each check against runc, then agentrt. ----

namespace {

struct Subject {
  std::string name;
  Runtime rt;
};

Subject subject(const Fixture& fx, const std::string& name) {
  return {name, name == "runc" ? fx.runc() : fx.agentrt("")};
}

// run -d with the container's stdio on /dev/null: criu cannot dump a file of a mount outside the
// container's mount namespace (the runner's output files: "Can't lookup mount=N for fd=1"), for runc either.
Result run_detached(const Runtime& rt, const Bundle& b) {
  std::string cmd = "exec";
  for (const auto& a : rt.argv({"run", "-d", "-b", b.dir().string(), b.id()})) cmd += " '" + a + "'";
  return execute({"/bin/sh", "-c", cmd + " </dev/null >/dev/null 2>&1"}, 60);
}

pid_t init_pid(const Runtime& rt, const std::string& id) {
  auto st = rt.state(id);
  return st ? st->value("pid", 0) : 0;
}

// The ops the probe tries: blocked by the agent policy (and by runc's test profile), plus allowed controls.
const char* kProbeOps =
    "mount umount2 unshare_user unshare_net chroot keyctl add_key bpf perf_event_open userfaultfd "
    "io_uring_setup socket_packet socket_alg socket_vsock init_module kexec_load sethostname memfd_create "
    "socket_unix getpid";

// A container that runs the probe over kProbeOps each time /ctl/goN appears, writing /ctl/outN.
std::string probe_loop() {
  return std::string("n=0; while :; do if [ -e /ctl/go$n ]; then for op in ") + kProbeOps +
         "; do echo \"$op=$(/probe $op 2>&1)\"; done > /ctl/out$n.tmp; mv /ctl/out$n.tmp /ctl/out$n; "
         "n=$((n+1)); fi; sleep 0.05; done";
}

std::string probe_round(const Bundle& b, int n) {
  write_text(b.ctl() / ("go" + std::to_string(n)), "go");
  stdfs::path out = b.ctl() / ("out" + std::to_string(n));
  if (!eventually([&] { return stdfs::exists(out); }, 60)) return "(no answer)";
  return read_text(out);
}

// checkpoint with extra flags into img; the test stops unless it worked (criu's log is shown then).
void checkpoint_ok(const Runtime& rt, const Bundle& b, const stdfs::path& img,
                   std::vector<std::string> flags = {}) {
  std::vector<std::string> args = {"checkpoint"};
  args.insert(args.end(), flags.begin(), flags.end());
  args.insert(args.end(), {"--image-path", img.string(), b.id()});
  auto r = rt(args, 120);
  bool pre_dump = std::find(flags.begin(), flags.end(), "--pre-dump") != flags.end();
  INFO(r.all() << read_text_if(img / (pre_dump ? "pre-dump.log" : "dump.log")));
  REQUIRE(r.code == 0);
}

void restore_ok(const Runtime& rt, const Bundle& b, const stdfs::path& img) {
  auto r = rt({"restore", "-d", "-b", b.dir().string(), "--image-path", img.string(), b.id()}, 120);
  INFO(r.all() << read_text_if(img / "restore.log"));
  REQUIRE(r.code == 0);
}

// The restored counter goes on from where it was frozen (not from 1), running in the container's cgroup.
void check_continues(const Runtime& rt, const Bundle& b, long frozen) {
  long next = wait_count_above(b, frozen);
  CHECK(next > frozen);
  CHECK(next <= frozen + 3);
  CHECK(rt.status(b.id()) == "running");
  pid_t pid = init_pid(rt, b.id());
  REQUIRE(pid > 0);
  CHECK_THAT(read_text("/proc/" + std::to_string(pid) + "/cgroup"), Catch::Contains(b.id()));
}

}  // namespace

TEST_CASE("a checkpointed counter stops, and restored continues its count in the container's cgroup",
          "[.criu-nested]") {
  Fixture fx;
  // A generator, not sections: runc failing a check still lets agentrt run it.
  Subject s = subject(fx, GENERATE(as<std::string>{}, "runc", "agentrt"));
  INFO("runtime: " << s.name);
  {
    {
      auto& b = fx.bundle("ck-count-" + s.name);
      b.sh(kCounter).add_ctl_mount().save();
      REQUIRE(run_detached(s.rt, b).code == 0);
      REQUIRE(wait_count_above(b, 3) > 3);
      stdfs::path img = fx.base() / ("img-" + s.name);
      checkpoint_ok(s.rt, b, img);
      CHECK_FALSE(s.rt.state(b.id()));  // deleted after the dump, as runc does
      long frozen = count_of(b);
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
      CHECK(count_of(b) == frozen);
      CHECK(fx.leaks(b.id()).empty());

      restore_ok(s.rt, b, img);
      check_continues(s.rt, b, frozen);
      REQUIRE(s.rt({"delete", "-f", b.id()}).code == 0);
      fx.check_no_leaks(b.id());
    }
  }
}

TEST_CASE("--leave-running checkpoints and the container keeps counting; its image restores",
          "[.criu-nested]") {
  Fixture fx;
  // A generator, not sections: runc failing a check still lets agentrt run it.
  Subject s = subject(fx, GENERATE(as<std::string>{}, "runc", "agentrt"));
  INFO("runtime: " << s.name);
  {
    {
      auto& b = fx.bundle("ck-leave-" + s.name);
      b.sh(kCounter).add_ctl_mount().save();
      REQUIRE(run_detached(s.rt, b).code == 0);
      REQUIRE(wait_count_above(b, 3) > 3);
      stdfs::path img = fx.base() / ("img-" + s.name);
      checkpoint_ok(s.rt, b, img, {"--leave-running"});
      CHECK(s.rt.status(b.id()) == "running");
      long c = count_of(b);
      CHECK(wait_count_above(b, c) > c);
      REQUIRE(s.rt({"delete", "-f", b.id()}).code == 0);
      restore_ok(s.rt, b, img);
      long r = count_of(b);
      CHECK(wait_count_above(b, r) > r);
      REQUIRE(s.rt({"delete", "-f", b.id()}).code == 0);
      fx.check_no_leaks(b.id());
    }
  }
}

TEST_CASE("a restored container has the same seccomp status and the threat probe gets the same answers",
          "[.criu-nested]") {
  Fixture fx;
  stdfs::path probe = stdfs::path(AGENTRT_BUILD_DIR) / "tests/threat/agentrt_probe";
  REQUIRE(stdfs::exists(probe));
  // A generator, not sections: runc failing a check still lets agentrt run it.
  Subject s = subject(fx, GENERATE(as<std::string>{}, "runc", "agentrt"));
  INFO("runtime: " << s.name);
  {
    {
      auto& b = fx.bundle("ck-probe-" + s.name);
      b.sh(probe_loop()).add_ctl_mount();
      stdfs::copy_file(probe, b.rootfs() / "probe");
      // runc has no agent policy: give it a profile of its own so there is a filter to keep.
      if (s.name == "runc")
        b.config()["linux"]["seccomp"] = {
            {"defaultAction", "SCMP_ACT_ALLOW"},
            {"syscalls",
             {{{"names", {"mount", "umount2", "unshare", "keyctl", "add_key", "bpf", "chroot"}},
               {"action", "SCMP_ACT_ERRNO"}}}}};
      b.save();
      REQUIRE(run_detached(s.rt, b).code == 0);
      std::string before = probe_round(b, 0);
      pid_t pid = init_pid(s.rt, b.id());
      std::string status_before = confinement(pid);
      std::string seccomp_before = confinement(pid, kSeccompFields);
      CHECK_THAT(status_before, Catch::Contains("Seccomp=2"));
      CHECK_THAT(before, Catch::Contains("keyctl=EPERM") || Catch::Contains("keyctl=ENOSYS"));

      stdfs::path img = fx.base() / ("img-" + s.name);
      checkpoint_ok(s.rt, b, img);
      restore_ok(s.rt, b, img);
      pid_t restored = init_pid(s.rt, b.id());
      // runc with criu 3.17 loses no_new_privs in a restore (criu does not restore the flag): shown, not held
      // against it; agentrt keeps it (criu runs with it set) and must match in full.
      std::string status_after = confinement(restored);
      if (s.name == "runc" && status_after != status_before)
        WARN("runc: confinement before restore: " << status_before << "; after: " << status_after);
      CHECK(confinement(restored, kSeccompFields) == seccomp_before);
      if (s.name == "agentrt") CHECK(status_after == status_before);
      std::string after = probe_round(b, 1);
      INFO("before:\n" << before << "after:\n" << after);
      CHECK(after == before);
      REQUIRE(s.rt({"delete", "-f", b.id()}).code == 0);
      fx.check_no_leaks(b.id());
    }
  }
}

// agentrt's own guard (runc has none to compare with): a checkpoint that records more confinement than the
// restored init has is refused, and what the restore made is undone.
TEST_CASE("a restore that would leave the init less confined than at checkpoint is refused and undone",
          "[.criu-nested]") {
  Fixture fx;
  auto rt = fx.agentrt("");
  auto& b = fx.bundle("ck-less");
  b.sh(kCounter).add_ctl_mount().save();
  REQUIRE(run_detached(rt, b).code == 0);
  REQUIRE(wait_count_above(b, 3) > 3);
  stdfs::path img = fx.base() / "img";
  checkpoint_ok(rt, b, img);
  long frozen = count_of(b);

  std::string recorded = read_text(img / "agentrt-policy.json");
  json claims = json::parse(recorded);
  claims["seccompFilters"] = claims["seccompFilters"].get<int>() + 3;
  write_text(img / "agentrt-policy.json", claims.dump());
  auto refused = rt({"restore", "-d", "-b", b.dir().string(), "--image-path", img.string(), b.id()}, 120);
  CHECK(refused.code != 0);
  CHECK_THAT(refused.err, Catch::Contains("less confinement") && Catch::Contains("seccomp filters"));
  CHECK_FALSE(rt.state(b.id()));
  CHECK(fx.leaks(b.id()).empty());
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  CHECK(count_of(b) == frozen);  // the restored tasks never ran (left stopped until checked), and are gone

  write_text(img / "agentrt-policy.json", recorded);
  restore_ok(rt, b, img);
  check_continues(rt, b, frozen);
  REQUIRE(rt({"delete", "-f", b.id()}).code == 0);
  fx.check_no_leaks(b.id());
}

TEST_CASE("a pre-dump, then a dump on top of it with --parent-path, restores a counter that continues",
          "[.criu-nested]") {
  Fixture fx;
  // A generator, not sections: runc failing a check still lets agentrt run it.
  Subject s = subject(fx, GENERATE(as<std::string>{}, "runc", "agentrt"));
  INFO("runtime: " << s.name);
  {
    {
      auto& b = fx.bundle("ck-pre-" + s.name);
      b.sh(kCounter).add_ctl_mount().save();
      REQUIRE(run_detached(s.rt, b).code == 0);
      REQUIRE(wait_count_above(b, 3) > 3);
      stdfs::path pre = fx.base() / ("pre-" + s.name), img = fx.base() / ("img-" + s.name);
      checkpoint_ok(s.rt, b, pre, {"--pre-dump"});
      CHECK(s.rt.status(b.id()) == "running");
      long c = count_of(b);
      CHECK(wait_count_above(b, c) > c);
      checkpoint_ok(s.rt, b, img, {"--parent-path", "../pre-" + s.name});
      long frozen = count_of(b);
      restore_ok(s.rt, b, img);
      check_continues(s.rt, b, frozen);
      REQUIRE(s.rt({"delete", "-f", b.id()}).code == 0);
      fx.check_no_leaks(b.id());
    }
  }
}

TEST_CASE("restore without --detach waits for the restored init and exits with its exit code",
          "[.criu-nested]") {
  Fixture fx;
  // A generator, not sections: runc failing a check still lets agentrt run it.
  Subject s = subject(fx, GENERATE(as<std::string>{}, "runc", "agentrt"));
  INFO("runtime: " << s.name);
  {
    {
      auto& b = fx.bundle("ck-fg-" + s.name);
      b.sh("i=0; while [ $i -lt 100 ]; do i=$((i+1)); echo $i > /ctl/count.tmp; mv /ctl/count.tmp "
           "/ctl/count; "
           "sleep 0.1; done; exit 7")
          .add_ctl_mount()
          .save();
      REQUIRE(run_detached(s.rt, b).code == 0);
      REQUIRE(wait_count_above(b, 3) > 3);
      stdfs::path img = fx.base() / ("img-" + s.name);
      checkpoint_ok(s.rt, b, img);
      long frozen = count_of(b);
      REQUIRE(frozen < 100);
      auto rs = s.rt({"restore", "-b", b.dir().string(), "--image-path", img.string(), b.id()}, 120);
      INFO(rs.all() << read_text_if(img / "restore.log"));
      CHECK(rs.code == 7);
      CHECK(count_of(b) == 100);
      CHECK_FALSE(s.rt.state(b.id()));  // deleted once its init exited, as after `run`
      fx.check_no_leaks(b.id());
    }
  }
}

namespace {

// Each hook appends "<name> "pid":<pid of the state it read>" to log.
json host_hook(const std::string& name, const stdfs::path& log) {
  return json{{"path", "/bin/sh"},
              {"args",
               {"sh", "-c",
                "printf '%s ' " + name + " >> " + log.string() +
                    "; tr -d '\\n' | grep -o '\"pid\": *[0-9]*' >> " + log.string()}}};
}
std::vector<std::string> hook_lines(const stdfs::path& log) {
  std::vector<std::string> lines = split_lines(read_text(log));
  for (auto& l : lines) l.erase(std::remove(l.begin(), l.end(), ' '), l.end());
  lines.erase(std::remove(lines.begin(), lines.end(), ""), lines.end());
  return lines;
}

}  // namespace

TEST_CASE("restore runs prestart and createRuntime with the restored init's pid, and a failing one undoes it",
          "[.criu-nested]") {
  Fixture fx;
  // A generator, not sections: runc failing a check still lets agentrt run it.
  Subject s = subject(fx, GENERATE(as<std::string>{}, "runc", "agentrt"));
  INFO("runtime: " << s.name);
  auto& b = fx.bundle("ck-hooks-" + s.name);
  b.sh(kCounter).add_ctl_mount();
  stdfs::path log = b.ctl() / "hooks.log";
  b.config()["hooks"] = {{"prestart", {host_hook("prestart", log)}},
                         {"createRuntime", {host_hook("createRuntime", log)}},
                         {"poststart", {host_hook("poststart", log)}}};
  b.save();
  REQUIRE(run_detached(s.rt, b).code == 0);
  REQUIRE(wait_count_above(b, 3) > 3);
  INFO("hooks at run: " << read_text(log));
  CHECK(hook_lines(log).size() == 3);
  stdfs::path img = fx.base() / ("img-" + s.name);
  checkpoint_ok(s.rt, b, img);
  write_text(log, "");

  restore_ok(s.rt, b, img);
  pid_t pid = init_pid(s.rt, b.id());
  REQUIRE(pid > 0);
  std::string p = "\"pid\":" + std::to_string(pid);
  INFO("hooks at restore: " << read_text(log));
  // Not poststart: runc runs it after `start`, which a restored container never goes through.
  CHECK(hook_lines(log) == std::vector<std::string>{"prestart" + p, "createRuntime" + p});
  long frozen = count_of(b);
  check_continues(s.rt, b, frozen);

  // A failing prestart hook at restore: no restored task runs on, nothing is left.
  stdfs::path img2 = fx.base() / ("img2-" + s.name);
  checkpoint_ok(s.rt, b, img2);
  frozen = count_of(b);
  b.config()["hooks"] = {{"prestart", {{{"path", "/bin/false"}}}}};
  b.save();
  auto r = s.rt({"restore", "-d", "-b", b.dir().string(), "--image-path", img2.string(), b.id()}, 120);
  INFO(r.all());
  CHECK(r.code != 0);
  CHECK_FALSE(s.rt.state(b.id()));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  CHECK(count_of(b) == frozen);
  fx.check_no_leaks(b.id());
}
