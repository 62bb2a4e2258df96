// process: user, args, env, cwd, capabilities, rlimits, io priority, scheduler.
#include <linux/capability.h>
#include <sys/resource.h>

#include <catch2/catch.hpp>

#include "full_config.hpp"
#include "helpers.hpp"

using namespace agentrt::oci;
using namespace agentrt::oci::test;
using nlohmann::json;

TEST_CASE("every process field of a full config is parsed", "[parse][process]") {
  const Process p = *parse_spec(json::parse(kFullConfig)).process;
  CHECK(p.terminal);
  REQUIRE(p.console_size);
  CHECK(p.console_size->height == 24);
  CHECK(p.console_size->width == 80);
  CHECK(p.user.uid == 1000);
  CHECK(p.user.gid == 1001);
  CHECK(p.user.umask == 18u);
  CHECK(p.user.additional_gids == std::vector<uint32_t>{5, 27});
  CHECK(p.user.username == "agent");
  CHECK(p.args == std::vector<std::string>{"python3", "-m", "agent"});
  CHECK(p.command_line == "python3 -m agent");
  CHECK(p.env == std::vector<std::string>{"PATH=/usr/bin:/bin", "HOME=/home/agent", "EMPTY="});
  CHECK(p.cwd == "/work");
  CHECK(p.no_new_privileges);
  CHECK(p.apparmor_profile == "agentrt-default");
  CHECK(p.oom_score_adj == -500);
  CHECK(p.selinux_label == "system_u:system_r:container_t:s0");
  REQUIRE(p.io_priority);
  CHECK(p.io_priority->io_class == "IOPRIO_CLASS_BE");
  CHECK(p.io_priority->priority == 4);
  REQUIRE(p.scheduler);
  CHECK(p.scheduler->policy == "SCHED_DEADLINE");
  CHECK(p.scheduler->nice == -5);
  CHECK(p.scheduler->priority == 10);
  CHECK(p.scheduler->flags == std::vector<std::string>{"SCHED_FLAG_RECLAIM"});
  CHECK(p.scheduler->runtime == 1000);
  CHECK(p.scheduler->deadline == 2000);
  CHECK(p.scheduler->period == 3000);
}

TEST_CASE("capabilities: all five sets become CAP_* numbers", "[parse][process][caps]") {
  const Process p = *parse_spec(json::parse(kFullConfig)).process;
  REQUIRE(p.capabilities);
  CHECK(p.capabilities->bounding == std::vector<int>{CAP_CHOWN, CAP_KILL, CAP_NET_BIND_SERVICE});
  CHECK(p.capabilities->effective == std::vector<int>{CAP_KILL});
  CHECK(p.capabilities->inheritable == std::vector<int>{CAP_SETUID});
  CHECK(p.capabilities->permitted == std::vector<int>{CAP_KILL, CAP_SYS_ADMIN});
  CHECK(p.capabilities->ambient == std::vector<int>{CAP_NET_BIND_SERVICE});
}

TEST_CASE("rlimits are mapped to resource numbers", "[parse][process][rlimits]") {
  const Process p = *parse_spec(json::parse(kFullConfig)).process;
  REQUIRE(p.rlimits.size() == 2);
  CHECK(p.rlimits[0].type == "RLIMIT_NOFILE");
  CHECK(p.rlimits[0].resource == RLIMIT_NOFILE);
  CHECK(p.rlimits[0].hard == 4096);
  CHECK(p.rlimits[0].soft == 1024);
  CHECK(p.rlimits[1].type == "RLIMIT_CORE");
  CHECK(p.rlimits[1].resource == RLIMIT_CORE);
  CHECK(p.rlimits[1].hard == UINT64_MAX);  // RLIM_INFINITY as runc writes it
  CHECK(p.rlimits[1].soft == 0);
}

TEST_CASE("process defaults", "[parse][process]") {
  const Process p = *parse_spec(with_process()).process;
  CHECK_FALSE(p.terminal);
  CHECK_FALSE(p.console_size);
  CHECK(p.user.uid == 0);
  CHECK(p.user.gid == 0);
  CHECK_FALSE(p.user.umask);
  CHECK_FALSE(p.capabilities);
  CHECK(p.rlimits.empty());
  CHECK_FALSE(p.no_new_privileges);
  CHECK_FALSE(p.oom_score_adj);
  CHECK_FALSE(p.io_priority);
  CHECK_FALSE(p.scheduler);
}

TEST_CASE("process errors", "[parse][process]") {
  json j = with_process();
  CHECK(spec_error(set(j, "/process/rlimits",
                       json::array({{{"type", "RLIMIT_NOFILE"}, {"hard", 2}, {"soft", 1}},
                                    {{"type", "RLIMIT_FOO"}, {"hard", 2}, {"soft", 1}}}))) ==
        "process.rlimits[1].type: unknown rlimit \"RLIMIT_FOO\"");
  CHECK(spec_error(set(j, "/process/rlimits",
                       json::array({{{"type", "RLIMIT_NOFILE"}, {"hard", 2}, {"soft", 1}},
                                    {{"type", "RLIMIT_NOFILE"}, {"hard", 2}, {"soft", 1}}}))) ==
        "process.rlimits[1].type: duplicate rlimit \"RLIMIT_NOFILE\"");
  CHECK(spec_error(set(j, "/process/rlimits/0", {{"type", "RLIMIT_NOFILE"}, {"hard", 1}, {"soft", 2}})) ==
        "process.rlimits[0]: soft limit 2 exceeds hard limit 1");
  CHECK(spec_error(set(j, "/process/rlimits/0", {{"type", "RLIMIT_NOFILE"}, {"soft", 2}})) ==
        "process.rlimits[0].hard: required");
  CHECK(spec_error(set(j, "/process/rlimits/0", {{"type", "RLIMIT_NOFILE"}, {"hard", -1}, {"soft", 2}})) ==
        "process.rlimits[0].hard: expected non-negative integer, got -1");
  CHECK(spec_error(set(j, "/process/capabilities/bounding", json::array({"CAP_FOO"}))) ==
        "process.capabilities.bounding[0]: unknown capability \"CAP_FOO\"");
  CHECK(spec_error(set(j, "/process/capabilities/ambient", json::array({"CAP_KILL", "cap_chown"}))) ==
        "process.capabilities.ambient[1]: unknown capability \"cap_chown\"");
  CHECK(spec_error(set(j, "/process/capabilities/effective", json::array({"12"}))) ==
        "process.capabilities.effective[0]: unknown capability \"12\"");
  CHECK(spec_error(set(j, "/process/capabilities/permitted", "CAP_KILL")) ==
        "process.capabilities.permitted: expected array, got string");
}

TEST_CASE("process args and cwd", "[parse][process]") {
  json j = with_process();
  json no_args = j;
  no_args["process"].erase("args");
  CHECK(spec_error(no_args) == "process.args: required");
  CHECK(spec_error(set(j, "/process/args", json::array())) == "process.args: must not be empty");
  CHECK(spec_error(set(j, "/process/args", json::array({"sh", 1}))) ==
        "process.args[1]: expected string, got number");
  json no_cwd = j;
  no_cwd["process"].erase("cwd");
  CHECK(spec_error(no_cwd) == "process.cwd: required");
  CHECK(spec_error(set(j, "/process/cwd", "work")) == "process.cwd: must be an absolute path, got \"work\"");
  CHECK(spec_error(set(j, "/process", json::array())) == "process: expected object, got array");
}

TEST_CASE("process env entries need a name and '='", "[parse][process]") {
  json j = with_process();
  CHECK(spec_error(set(j, "/process/env", json::array({"A=1", "NOEQUALS"}))) ==
        "process.env[1]: invalid environment variable \"NOEQUALS\": missing '='");
  CHECK(spec_error(set(j, "/process/env", json::array({"=x"}))) ==
        "process.env[0]: invalid environment variable \"=x\": name cannot be empty");
}

TEST_CASE("process user, console, io priority, scheduler and oom errors", "[parse][process]") {
  json j = with_process();
  CHECK(spec_error(set(j, "/process/user/uid", -1)) ==
        "process.user.uid: expected non-negative integer, got -1");
  CHECK(spec_error(set(j, "/process/user/gid", 4294967296)) ==
        "process.user.gid: expected integer in range [0, 4294967295], got 4294967296");
  CHECK(spec_error(set(j, "/process/user/additionalGids", json::array({1, "2"}))) ==
        "process.user.additionalGids[1]: expected integer, got string");
  CHECK(spec_error(set(j, "/process/consoleSize", {{"height", 1}})) == "process.consoleSize.width: required");
  CHECK(spec_error(set(j, "/process/ioPriority", {{"class", "IOPRIO_CLASS_FOO"}})) ==
        "process.ioPriority.class: unknown class \"IOPRIO_CLASS_FOO\"");
  CHECK(spec_error(set(j, "/process/ioPriority", {{"class", "IOPRIO_CLASS_RT"}, {"priority", 8}})) ==
        "process.ioPriority.priority: expected integer in range [0, 7], got 8");
  CHECK(spec_error(set(j, "/process/scheduler", {{"policy", "SCHED_FOO"}})) ==
        "process.scheduler.policy: unknown policy \"SCHED_FOO\"");
  CHECK(spec_error(set(j, "/process/scheduler", {{"nice", 0}})) == "process.scheduler.policy: required");
  CHECK(spec_error(set(j, "/process/scheduler", {{"policy", "SCHED_OTHER"}, {"nice", 20}})) ==
        "process.scheduler.nice: expected integer in range [-20, 19], got 20");
  CHECK(spec_error(set(j, "/process/scheduler", {{"policy", "SCHED_RR"}, {"flags", {"SCHED_FLAG_X"}}})) ==
        "process.scheduler.flags[0]: unknown flag \"SCHED_FLAG_X\"");
  CHECK(spec_error(set(j, "/process/oomScoreAdj", 1001)) ==
        "process.oomScoreAdj: expected integer in range [-1000, 1000], got 1001");
  CHECK(spec_error(set(j, "/process/terminal", 1)) == "process.terminal: expected boolean, got number");
}

TEST_CASE("parse_process uses the given path prefix (exec --process)", "[parse][process]") {
  json p = {{"args", {"ls"}}, {"cwd", "/"}, {"capabilities", {{"bounding", {"CAP_NOPE"}}}}};
  try {
    parse_process(p, "");
    FAIL("no error");
  } catch (const SpecError& e) {
    CHECK(std::string(e.what()) == "capabilities.bounding[0]: unknown capability \"CAP_NOPE\"");
  }
  p["capabilities"]["bounding"] = {"CAP_SYS_PTRACE"};
  Process parsed = parse_process(p, "");
  CHECK(parsed.args == std::vector<std::string>{"ls"});
  CHECK(parsed.capabilities->bounding == std::vector<int>{CAP_SYS_PTRACE});
  CHECK_THROWS_WITH(parse_process(json::object()), "process.args: required");
}
