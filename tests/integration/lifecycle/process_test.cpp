// process.*: args, env, cwd, user, umask, rlimits, oom_score_adj, capabilities, no_new_privs, and the
// default agent profile's hardening.
#include <catch2/catch.hpp>

#include "support.hpp"

using namespace lifecycle_test;

namespace {

constexpr int kCapChown = 0, kCapKill = 5, kCapNetBindService = 10, kCapSysAdmin = 21;

unsigned long long bit(int cap) {
  return 1ULL << cap;
}

std::string print_status() {
  return print_section("status", "cat /proc/self/status");
}

}  // namespace

TEST_CASE("args, env and cwd reach the process; a missing cwd is created", "[process]") {
  Fixture fx;
  auto& b = fx.bundle("argsenv");
  b.config()["process"]["env"] = {"PATH=/bin", "AGENT_TASK=summarise files", "EMPTY="};
  b.config()["process"]["cwd"] = "/srv/deep/dir";
  b.config()["process"]["args"] = {
      "sh",
      "-c",
      ": " + b.id() +
          "; echo ARGC=$#; echo ARG1=$1; echo ARG2=$2; echo PWD=$(pwd); "
          "echo TASK=$AGENT_TASK; echo ENVCOUNT=$(env | grep -c -e '^AGENT_TASK=' -e '^EMPTY=')",
      "zero",
      "first arg",
      "second"};
  b.save();
  auto r = fx.agentrt()({"run", "-b", b.dir(), b.id()});
  INFO(r.all());
  REQUIRE(r.code == 0);
  CHECK(value_of(r.out, "ARGC") == "2");
  CHECK(value_of(r.out, "ARG1") == "first arg");
  CHECK(value_of(r.out, "ARG2") == "second");
  CHECK(value_of(r.out, "PWD") == "/srv/deep/dir");
  CHECK(value_of(r.out, "TASK") == "summarise files");
  CHECK(value_of(r.out, "ENVCOUNT") == "2");
  CHECK(stdfs::is_directory(b.rootfs() / "srv/deep/dir"));
}

TEST_CASE("user uid, gid, additional gids and umask", "[process]") {
  Fixture fx;
  auto& b = fx.bundle("user");
  b.config()["process"]["user"] = {
      {"uid", 1000}, {"gid", 1001}, {"additionalGids", {10, 20}}, {"umask", 027}};
  b.script(
      "echo UID=$(id -u); echo GID=$(id -g); echo GROUPS=$(id -G); echo UMASK=$(umask); "
      "touch /tmp/f; echo FMODE=$(stat -c %a /tmp/f); echo OWNER=$(stat -c %u:%g /tmp/f)");
  b.save();
  auto r = fx.agentrt()({"run", "-b", b.dir(), b.id()});
  INFO(r.all());
  REQUIRE(r.code == 0);
  CHECK(value_of(r.out, "UID") == "1000");
  CHECK(value_of(r.out, "GID") == "1001");
  CHECK(value_of(r.out, "GROUPS") == "1001 10 20");
  CHECK(value_of(r.out, "UMASK") == "0027");
  CHECK(value_of(r.out, "FMODE") == "640");
  CHECK(value_of(r.out, "OWNER") == "1000:1001");
}

TEST_CASE("rlimits and oomScoreAdj are applied", "[process]") {
  Fixture fx;
  auto& b = fx.bundle("rlimit");
  int current = std::stoi(read_text("/proc/self/oom_score_adj"));
  // Without CAP_SYS_RESOURCE the value may only be raised.
  int wanted = std::min(1000, std::max(current, 0) + 123);
  b.config()["process"]["rlimits"] = {{{"type", "RLIMIT_NOFILE"}, {"soft", 256}, {"hard", 512}},
                                      {{"type", "RLIMIT_NPROC"}, {"soft", 777}, {"hard", 888}}};
  b.config()["process"]["oomScoreAdj"] = wanted;
  b.script(
      "echo NOFILE=$(ulimit -n); echo NOFILE_HARD=$(ulimit -Hn); echo NPROC=$(ulimit -u); "
      "echo OOM=$(cat /proc/self/oom_score_adj)");
  b.save();
  auto r = fx.agentrt()({"run", "-b", b.dir(), b.id()});
  INFO(r.all());
  REQUIRE(r.code == 0);
  CHECK(value_of(r.out, "NOFILE") == "256");
  CHECK(value_of(r.out, "NOFILE_HARD") == "512");
  CHECK(value_of(r.out, "NPROC") == "777");
  CHECK(value_of(r.out, "OOM") == std::to_string(wanted));
}

TEST_CASE("capability sets are exactly the configured ones", "[process]") {
  Fixture fx;
  auto& b = fx.bundle("caps");
  auto caps = json::array({"CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"});
  b.config()["process"]["capabilities"] = {{"bounding", caps},
                                           {"effective", caps},
                                           {"permitted", caps},
                                           {"inheritable", caps},
                                           {"ambient", {"CAP_KILL"}}};
  b.script(print_status());
  b.save();
  auto r = fx.agentrt()({"run", "-b", b.dir(), b.id()});
  INFO(r.all());
  REQUIRE(r.code == 0);
  auto st = section(r.out, "status");
  auto set = bit(kCapChown) | bit(kCapKill) | bit(kCapNetBindService);
  CHECK(status_hex(st, "CapBnd") == set);
  CHECK(status_hex(st, "CapEff") == set);
  CHECK(status_hex(st, "CapPrm") == set);
  CHECK(status_hex(st, "CapInh") == set);
  CHECK(status_hex(st, "CapAmb") == bit(kCapKill));
}

TEST_CASE("ambient capabilities survive for a non-root user", "[process]") {
  Fixture fx;
  auto& b = fx.bundle("ambient");
  auto caps = json::array({"CAP_NET_BIND_SERVICE"});
  b.config()["process"]["user"] = {{"uid", 1000}, {"gid", 1000}};
  b.config()["process"]["capabilities"] = {
      {"bounding", caps}, {"effective", caps}, {"permitted", caps}, {"inheritable", caps}, {"ambient", caps}};
  b.script(print_status());
  b.save();
  auto r = fx.agentrt()({"run", "-b", b.dir(), b.id()});
  INFO(r.all());
  REQUIRE(r.code == 0);
  auto st = section(r.out, "status");
  CHECK(status_hex(st, "CapEff") == bit(kCapNetBindService));
  CHECK(status_hex(st, "CapPrm") == bit(kCapNetBindService));
  CHECK(status_hex(st, "CapAmb") == bit(kCapNetBindService));
  CHECK(status_hex(st, "CapBnd") == bit(kCapNetBindService));
}

TEST_CASE("runc spec's capabilities (ambient without inheritable) start quietly and --debug says why",
          "[process]") {
  Fixture fx;
  const stdfs::path spec_dir = fx.base() / "runc-spec";
  stdfs::create_directories(spec_dir);
  REQUIRE(execute({"/usr/sbin/runc", "spec", "--bundle", spec_dir.string()}).code == 0);
  const json caps = json::parse(read_text(spec_dir / "config.json"))["process"]["capabilities"];
  REQUIRE_FALSE(caps.contains("inheritable"));
  REQUIRE(caps["ambient"].size() == 3);
  for (bool debug : {false, true}) {
    INFO("--debug " << debug);
    auto& b = fx.bundle(debug ? "caps-debug" : "caps-quiet");
    b.config()["process"]["capabilities"] = caps;
    b.script(print_status());
    b.save();
    std::vector<std::string> args = {"run", "-b", b.dir(), b.id()};
    if (debug) args.insert(args.begin(), "--debug");
    auto r = fx.agentrt()(args);
    INFO(r.all());
    REQUIRE(r.code == 0);
    // The kernel cannot raise them, with runc as with agentrt: the ambient set stays empty either way.
    CHECK(status_hex(section(r.out, "status"), "CapAmb") == 0);
    if (debug)
      CHECK(contains(r.err, "can't raise ambient capability CAP_KILL"));
    else
      CHECK(r.err.empty());
  }
}

TEST_CASE("noNewPrivileges follows the spec under the off profile", "[process]") {
  Fixture fx;
  for (bool nnp : {true, false}) {
    auto& b = fx.bundle("nnp");
    b.config()["process"]["noNewPrivileges"] = nnp;
    b.script(print_status());
    b.save();
    auto r = fx.agentrt()({"run", "-b", b.dir(), b.id()});
    INFO(nnp << "\n" << r.all());
    REQUIRE(r.code == 0);
    auto st = section(r.out, "status");
    CHECK(status_field(st, "NoNewPrivs") == (nnp ? "1" : "0"));
    CHECK(status_field(st, "Seccomp") == "0");
  }
}

TEST_CASE("the default agent profile forces no_new_privs, seccomp and drops CAP_SYS_ADMIN",
          "[process][agent]") {
  Fixture fx;
  auto rt = fx.agentrt("");  // no --profile: the default
  auto& b = fx.bundle("agent");
  auto caps = json::array({"CAP_CHOWN", "CAP_KILL", "CAP_SYS_ADMIN"});
  b.config()["process"]["noNewPrivileges"] = false;
  b.config()["process"]["capabilities"] = {{"bounding", caps}, {"effective", caps}, {"permitted", caps}};
  b.add_ctl_mount().script(print_status() + "unshare -m true 2>/dev/null; echo UNSHARE=$?; " + kWaitForGo);
  b.save();
  auto out = b.dir() / "out";
  REQUIRE(rt.to_files({"create", "-b", b.dir(), b.id()}, out).code == 0);
  auto st = rt.state(b.id());
  REQUIRE(st);
  INFO(st->dump(2));
  REQUIRE(st->contains("agentrt"));
  auto policy = (*st)["agentrt"]["agentPolicy"];
  CHECK(policy["profile"] == "agent-default");
  REQUIRE(policy["changes"].is_array());
  CHECK_FALSE(policy["changes"].empty());
  REQUIRE(rt({"start", b.id()}).code == 0);
  REQUIRE(rt.wait_status(b.id(), "running"));
  // The agent profile sets a pids limit when the spec has none.
  int init_pid = (*st)["pid"].get<int>();
  auto pids_dir = ProcessCgroup(init_pid).dir("pids");
  INFO("pids.max under " << pids_dir);
  CHECK(read_cgroup_number(pids_dir / "pids.max") > 0);
  fx.release(b);
  REQUIRE(rt.wait_status(b.id(), "stopped"));
  auto printed = read_text(out);
  INFO(printed);
  auto status = section(printed, "status");
  CHECK(status_field(status, "NoNewPrivs") == "1");
  CHECK(status_field(status, "Seccomp") == "2");
  auto bnd = status_hex(status, "CapBnd");
  REQUIRE(bnd);
  CHECK((*bnd & bit(kCapSysAdmin)) == 0);
  CHECK((*bnd & bit(kCapKill)) != 0);
  CHECK((status_hex(status, "CapEff").value_or(~0ULL) & bit(kCapSysAdmin)) == 0);
  CHECK(value_of(printed, "UNSHARE") != "0");
}

TEST_CASE("the agent floor holds over a spec's allow-all seccomp filter", "[process][agent]") {
  Fixture fx;
  auto& b = fx.bundle("agentfloor");
  auto caps = json::array({"CAP_SYS_ADMIN", "CAP_SYS_CHROOT"});
  b.config()["process"]["capabilities"] = {{"bounding", caps}, {"effective", caps}, {"permitted", caps}};
  b.config()["linux"]["seccomp"] = {{"defaultAction", "SCMP_ACT_ALLOW"},
                                    {"architectures", {"SCMP_ARCH_X86_64"}}};
  b.script(print_status() +
           "unshare -m true 2>/dev/null; echo UNSHARE=$?; chroot / true 2>/dev/null; echo CHROOT=$?");
  b.save();
  auto rt = fx.agentrt("");
  auto r = rt({"run", "-b", b.dir(), b.id()});
  INFO(r.all());
  REQUIRE(r.code == 0);
  auto st = section(r.out, "status");
  CHECK(status_field(st, "Seccomp") == "2");
  CHECK(status_field(st, "NoNewPrivs") == "1");
  CHECK(value_of(r.out, "UNSHARE") != "0");
  CHECK(value_of(r.out, "CHROOT") != "0");
}

TEST_CASE("the run.agentrt.profile annotation may name the administrator's minimum", "[process][agent]") {
  Fixture fx;
  auto& b = fx.bundle("annot");
  b.config()["annotations"] = {{"run.agentrt.profile", "off"}};
  b.config()["process"]["noNewPrivileges"] = false;
  b.add_ctl_mount().script(print_status() + kWaitForGo);
  b.save();
  auto rt = fx.agentrt("off");
  auto out = b.dir() / "out";
  REQUIRE(rt.to_files({"create", "-b", b.dir(), b.id()}, out).code == 0);
  auto state = rt.state(b.id());
  REQUIRE(state);
  INFO(state->dump(2));
  // Under "off" nothing was changed: either no record or a record naming the off profile with no changes.
  if (state->contains("agentrt")) {
    CHECK((*state)["agentrt"]["agentPolicy"].value("profile", "") == "off");
    CHECK((*state)["agentrt"]["agentPolicy"].value("changes", json::array()).empty());
  }
  REQUIRE(rt({"start", b.id()}).code == 0);
  fx.release(b);
  REQUIRE(rt.wait_status(b.id(), "stopped"));
  auto printed = read_text(out);
  INFO(printed);
  auto st = section(printed, "status");
  CHECK(status_field(st, "Seccomp") == "0");
  CHECK(status_field(st, "NoNewPrivs") == "0");
}

TEST_CASE("an annotation cannot lower the profile below --profile or the default", "[process][agent]") {
  Fixture fx;
  auto& b = fx.bundle("annot-low");
  b.config()["annotations"] = {{"run.agentrt.profile", "off"}};
  b.script("true");
  b.save();
  for (const std::string& profile :
       {std::string(""), std::string("agent-default"), std::string("agent-dev")}) {
    INFO("--profile '" << profile << "'");
    auto r = fx.agentrt(profile)({"run", "-b", b.dir(), b.id()});
    INFO(r.all());
    CHECK(r.code == 1);
    std::string minimum = profile.empty() ? "agent-default" : profile;
    CHECK(contains(unescape_quotes(r.err),
                   "annotation run.agentrt.profile: \"off\" is less strict than the minimum profile \"" +
                       minimum + "\" set by " + (profile.empty() ? "default" : "--profile")));
    CHECK(fx.leaks(b.id()).empty());
  }
}

TEST_CASE("an annotation tightens the profile; the state names the minimum", "[process][agent]") {
  Fixture fx;
  auto& b = fx.bundle("annot-tight");
  b.config()["annotations"] = {{"run.agentrt.profile", "agent-default"}};
  b.config()["process"]["noNewPrivileges"] = false;
  b.add_ctl_mount().script(print_status() + kWaitForGo);
  b.save();
  auto rt = fx.agentrt("off");
  auto out = b.dir() / "out";
  REQUIRE(rt.to_files({"create", "-b", b.dir(), b.id()}, out).code == 0);
  auto state = rt.state(b.id());
  REQUIRE(state);
  INFO(state->dump(2));
  const json& policy = (*state)["agentrt"]["agentPolicy"];
  CHECK(policy.value("profile", "") == "agent-default");
  CHECK(policy.value("minimum", "") == "off");
  CHECK(policy.value("minimumSetBy", "") == "--profile");
  REQUIRE(rt({"start", b.id()}).code == 0);
  fx.release(b);
  REQUIRE(rt.wait_status(b.id(), "stopped"));
  auto st = section(read_text(out), "status");
  CHECK(status_field(st, "Seccomp") == "2");
  CHECK(status_field(st, "NoNewPrivs") == "1");
}
