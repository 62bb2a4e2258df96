// create/start/state/kill/delete/run/list through the agentrt CLI with the plain OCI profile.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <future>
#include <map>

#include "integration_support/wait.hpp"
#include "support.hpp"

using namespace lifecycle_test;

TEST_CASE("create, start, exit and delete move through created, running and stopped", "[lifecycle]") {
  Fixture fx;
  auto rt = fx.agentrt();
  auto& b = fx.bundle("cycle");
  b.add_ctl_mount().script(std::string("echo PID=$$; ") + kWaitForGo + "echo DONE=1");
  b.save();
  auto out = b.dir() / "create.out";

  auto c = rt.to_files({"create", "-b", b.dir(), b.id()}, out);
  REQUIRE(c.code == 0);
  auto st = rt.state(b.id());
  REQUIRE(st);
  CHECK((*st)["status"] == "created");
  CHECK((*st)["id"] == b.id());
  CHECK((*st)["bundle"] == b.dir().string());
  REQUIRE((*st)["pid"].get<int>() > 0);
  int pid = (*st)["pid"];
  CHECK(stdfs::exists("/proc/" + std::to_string(pid)));
  // Nothing of the user process ran yet.
  CHECK_FALSE(value_of(read_text(out), "PID"));

  REQUIRE(rt({"start", b.id()}).code == 0);
  CHECK(rt.wait_status(b.id(), "running"));
  CHECK(rt.state(b.id()).value()["pid"] == pid);

  fx.release(b);
  REQUIRE(rt.wait_status(b.id(), "stopped"));
  auto printed = read_text(out);
  CHECK(value_of(printed, "PID") == "1");
  CHECK(value_of(printed, "DONE") == "1");

  auto d = rt({"delete", b.id()});
  CHECK(d.code == 0);
  auto gone = rt({"state", b.id()});
  CHECK(gone.code != 0);
  CHECK(contains(gone.err, "container does not exist"));
  CHECK_FALSE(stdfs::exists(rt.root() / b.id()));
  fx.check_no_leaks(b.id());
}

TEST_CASE("run returns the exit code of the container's process", "[lifecycle]") {
  Fixture fx;
  auto rt = fx.agentrt();
  struct Case {
    const char* script;
    int code;
  };
  for (auto c : {Case{"echo RAN=1; exit 0", 0}, Case{"echo RAN=1; exit 3", 3}}) {
    auto& b = fx.bundle("exit");
    b.script(c.script);
    b.save();
    auto r = rt({"run", "-b", b.dir(), b.id()});
    INFO(c.script << "\n" << r.all());
    CHECK(r.code == c.code);
    CHECK(value_of(r.out, "RAN") == "1");
    // run without -d removes the container once its process exited.
    CHECK(rt({"state", b.id()}).code != 0);
  }
}

TEST_CASE("run returns 128+9 when the container's init is killed by SIGKILL", "[lifecycle]") {
  Fixture fx;
  auto rt = fx.agentrt();
  auto& b = fx.bundle("killed");
  // The init of a pid namespace ignores SIGKILL from inside, so the test kills it from the host.
  b.add_ctl_mount().script("echo RAN=1; : > /ctl/ran; while true; do sleep 0.05; done");
  b.save();
  auto run = std::async(std::launch::async, [&] { return rt({"run", "-b", b.dir(), b.id()}, 20); });
  REQUIRE(rt.wait_status(b.id(), "running"));
  // "running" means exec'd, not that the script got to its echo yet (slow machines).
  REQUIRE(itest::eventually([&] { return stdfs::exists(b.ctl() / "ran"); }, 15));
  int pid = rt.state(b.id()).value()["pid"];
  REQUIRE(kill(pid, SIGKILL) == 0);
  auto r = run.get();
  INFO(r.all());
  CHECK(r.code == 128 + 9);
  CHECK(value_of(r.out, "RAN") == "1");
}

TEST_CASE("run -d detaches and --pid-file names the init", "[lifecycle]") {
  Fixture fx;
  auto rt = fx.agentrt();
  auto& b = fx.bundle("detach");
  b.add_ctl_mount().script(std::string("echo PID=$$ > /ctl/pid; ") + kWaitForGo);
  b.save();
  auto pidfile = b.dir() / "run.pid";
  auto r = rt({"run", "-d", "--pid-file", pidfile, "-b", b.dir(), b.id()}, 10);
  INFO(r.all());
  REQUIRE(r.code == 0);
  REQUIRE(rt.wait_status(b.id(), "running"));
  int pid = rt.state(b.id()).value()["pid"];
  CHECK(trim(read_text(pidfile)) == std::to_string(pid));
  for (int i = 0; i < 200 && !stdfs::exists(b.ctl() / "pid"); ++i) usleep(10000);
  CHECK(value_of(read_text(b.ctl() / "pid"), "PID") == "1");
  fx.release(b);
  CHECK(rt.wait_status(b.id(), "stopped"));
  CHECK(rt({"delete", b.id()}).code == 0);
}

TEST_CASE("create --pid-file writes the init pid", "[lifecycle]") {
  Fixture fx;
  auto rt = fx.agentrt();
  auto& b = fx.bundle("pidfile");
  b.script("true");
  b.save();
  auto pidfile = b.dir() / "c.pid";
  REQUIRE(rt({"create", "--pid-file", pidfile, "--bundle", b.dir(), b.id()}).code == 0);
  auto st = rt.state(b.id());
  REQUIRE(st);
  CHECK(trim(read_text(pidfile)) == std::to_string((*st)["pid"].get<int>()));
  // The init of a created container is alive and in our test's pid namespace.
  CHECK(kill((*st)["pid"].get<int>(), 0) == 0);
}

TEST_CASE("errors: duplicate id, unknown id, start twice, delete of a running container", "[lifecycle]") {
  Fixture fx;
  auto rt = fx.agentrt();
  auto& b = fx.bundle("errors");
  b.add_ctl_mount().script(kWaitForGo);
  b.save();
  REQUIRE(rt({"create", "-b", b.dir(), b.id()}).code == 0);

  auto dup = rt({"create", "-b", b.dir(), b.id()});
  CHECK(dup.code != 0);
  CHECK(contains(dup.err, "container with id exists"));
  CHECK(rt.status(b.id()) == "created");

  auto unknown = unique_id("unknown");
  for (std::vector<std::string> cmd : {std::vector<std::string>{"start", unknown},
                                       {"state", unknown},
                                       {"kill", unknown, "KILL"},
                                       {"delete", unknown}}) {
    auto r = rt(cmd);
    INFO(cmd[0] << ": " << r.all());
    CHECK(r.code != 0);
    CHECK(contains(r.err, "container does not exist"));
  }

  REQUIRE(rt({"start", b.id()}).code == 0);
  REQUIRE(rt.wait_status(b.id(), "running"));
  auto again = rt({"start", b.id()});
  INFO(again.all());
  CHECK(again.code != 0);
  CHECK(rt.status(b.id()) == "running");

  auto del = rt({"delete", b.id()});
  CHECK(del.code != 0);
  CHECK(rt.status(b.id()) == "running");
  int pid = rt.state(b.id()).value()["pid"];

  auto force = rt({"delete", "--force", b.id()});
  CHECK(force.code == 0);
  CHECK(rt({"state", b.id()}).code != 0);
  for (int i = 0; i < 100 && kill(pid, 0) == 0; ++i) usleep(20000);
  CHECK(kill(pid, 0) != 0);
}

TEST_CASE("kill accepts signal names and numbers", "[lifecycle]") {
  Fixture fx;
  auto rt = fx.agentrt();
  for (std::string sig : {"KILL", "SIGKILL", "9"}) {
    auto& b = fx.bundle("kill");
    b.add_ctl_mount().script(kWaitForGo);
    b.save();
    REQUIRE(rt({"create", "-b", b.dir(), b.id()}).code == 0);
    REQUIRE(rt({"start", b.id()}).code == 0);
    REQUIRE(rt.wait_status(b.id(), "running"));
    auto k = rt({"kill", b.id(), sig});
    INFO(sig << ": " << k.all());
    CHECK(k.code == 0);
    CHECK(rt.wait_status(b.id(), "stopped", 5));
    CHECK(rt({"delete", b.id()}).code == 0);
  }
  SECTION("TERM reaches a handler of the container's pid 1") {
    auto& b = fx.bundle("term");
    b.add_ctl_mount().script("trap 'echo GOT=TERM > /ctl/got; exit 7' TERM; while true; do sleep 0.05; done");
    b.save();
    REQUIRE(rt({"create", "-b", b.dir(), b.id()}).code == 0);
    REQUIRE(rt({"start", b.id()}).code == 0);
    REQUIRE(rt.wait_status(b.id(), "running"));
    usleep(200000);  // let the shell install its trap
    CHECK(rt({"kill", b.id(), "TERM"}).code == 0);
    CHECK(rt.wait_status(b.id(), "stopped", 5));
    CHECK(value_of(read_text(b.ctl() / "got"), "GOT") == "TERM");
  }
  SECTION("an unknown signal name is an error and the container keeps running") {
    auto& b = fx.bundle("badsig");
    b.add_ctl_mount().script(kWaitForGo);
    b.save();
    REQUIRE(rt({"create", "-b", b.dir(), b.id()}).code == 0);
    auto k = rt({"kill", b.id(), "NOSUCHSIG"});
    CHECK(k.code != 0);
    CHECK(rt.status(b.id()) == "created");
  }
}

TEST_CASE("list prints a table, json and ids only", "[lifecycle]") {
  Fixture fx;
  auto rt = fx.agentrt();
  auto& a = fx.bundle("lista");
  auto& b = fx.bundle("listb");
  for (auto* x : {&a, &b}) {
    x->add_ctl_mount().script(kWaitForGo);
    x->save();
    REQUIRE(rt({"create", "-b", x->dir(), x->id()}).code == 0);
  }
  REQUIRE(rt({"start", b.id()}).code == 0);
  REQUIRE(rt.wait_status(b.id(), "running"));

  auto table = rt({"list"});
  REQUIRE(table.code == 0);
  auto lines = split_lines(table.out);
  REQUIRE(lines.size() == 3);
  CHECK(lines[0].rfind("ID", 0) == 0);
  CHECK(contains(lines[0], "PID"));
  CHECK(contains(lines[0], "STATUS"));
  auto row_of = [&](const std::string& id) {
    for (const auto& l : lines)
      if (l.rfind(id + " ", 0) == 0) return l;
    return std::string();
  };
  CHECK(contains(row_of(a.id()), "created"));
  CHECK(contains(row_of(b.id()), "running"));
  CHECK(contains(row_of(a.id()), a.dir().string()));

  auto js = rt({"list", "--format", "json"});
  REQUIRE(js.code == 0);
  auto arr = json::parse(js.out);
  REQUIRE(arr.is_array());
  REQUIRE(arr.size() == 2);
  std::map<std::string, std::string> status;
  for (const auto& c : arr) status[c["id"]] = c["status"];
  CHECK(status[a.id()] == "created");
  CHECK(status[b.id()] == "running");

  auto q = rt({"list", "-q"});
  REQUIRE(q.code == 0);
  auto ids = split_lines(q.out);
  std::sort(ids.begin(), ids.end());
  std::vector<std::string> expected{a.id(), b.id()};
  std::sort(expected.begin(), expected.end());
  CHECK(ids == expected);
}

TEST_CASE("the fixture's leak check sees a live container and nothing after delete", "[lifecycle][fixture]") {
  Fixture fx;
  auto rt = fx.agentrt();
  auto& b = fx.bundle("selfcheck");
  b.add_ctl_mount().script(kWaitForGo);
  b.save();
  REQUIRE(rt({"create", "-b", b.dir(), b.id()}).code == 0);
  auto found = fx.leaks(b.id());
  std::string all;
  for (const auto& f : found) all += f + "\n";
  INFO(all);
  CHECK(contains(all, "state dir "));
  CHECK(contains(all, "process "));
  CHECK(contains(all, "cgroup /sys/fs/cgroup/"));
  REQUIRE(rt({"delete", "--force", b.id()}).code == 0);
  CHECK(fx.leaks(b.id()).empty());
}

TEST_CASE("create --preserve-fds passes extra fds to the container", "[lifecycle]") {
  Fixture fx;
  auto rt = fx.agentrt();
  auto& b = fx.bundle("preserve");
  write_text(b.dir() / "passed", "PASSED=through-fd-3\n");
  b.script("cat <&3; echo FD4=$(test -e /proc/self/fd/4 && echo open || echo closed)");
  b.save();
  auto out = b.dir() / "out";
  std::vector<std::string> argv{"/bin/sh", "-c", "exec 3<" + (b.dir() / "passed").string() + "; exec \"$@\"",
                                "sh"};
  auto inner = rt.argv({"create", "--preserve-fds", "1", "-b", b.dir().string(), b.id()});
  argv.insert(argv.end(), inner.begin(), inner.end());
  REQUIRE(execute_to(argv, out, out.string() + ".err").code == 0);
  REQUIRE(rt({"start", b.id()}).code == 0);
  REQUIRE(rt.wait_status(b.id(), "stopped"));
  auto printed = read_text(out);
  INFO(printed);
  CHECK(value_of(printed, "PASSED") == "through-fd-3");
  CHECK(value_of(printed, "FD4") == "closed");
}

TEST_CASE("--log with --log-format json records errors as JSON lines", "[lifecycle]") {
  Fixture fx;
  auto log = fx.base() / "agentrt.log";
  Runtime rt(agentrt_bin(), fx.base() / "agentrt-root",
             {"--profile", "off", "--log", log.string(), "--log-format", "json"});
  auto r = rt({"state", unique_id("nolog")});
  CHECK(r.code != 0);
  bool found = false;
  for (const auto& line : split_lines(read_text(log))) {
    auto j = json::parse(line, nullptr, false);
    INFO(line);
    REQUIRE_FALSE(j.is_discarded());
    if (j.value("level", "") == "error" && contains(j.value("msg", ""), "container does not exist"))
      found = true;
  }
  CHECK(found);
}

TEST_CASE("kill --all signals every process of the container", "[lifecycle]") {
  Fixture fx;
  auto rt = fx.agentrt();
  auto& b = fx.bundle("killall");
  // pid 1 and two children that name the id on their command line (the trailing true keeps sh from exec'ing
  // sleep, which would replace that command line).
  b.add_ctl_mount().script("sh -c ': " + b.id() + " child1; sleep 1000; true' & sh -c ': " + b.id() +
                           " child2; sleep 1000; true' & echo STARTED > /ctl/started; wait");
  b.save();
  REQUIRE(rt({"run", "-d", "-b", b.dir(), b.id()}).code == 0);
  for (int i = 0; i < 200 && !stdfs::exists(b.ctl() / "started"); ++i) usleep(10000);
  REQUIRE(stdfs::exists(b.ctl() / "started"));
  // A child's cmdline begins "sh\0-c\0: <id> child"; pid 1's begins "sh\0-c\0: <id>; ".
  std::string child_cmdline = std::string("sh") + '\0' + "-c" + '\0' + ": " + b.id() + " child";
  auto count_children = [&] {
    int n = 0;
    for (const auto& e : stdfs::directory_iterator("/proc")) {
      auto cmd = read_text(e.path() / "cmdline");
      if (cmd.rfind(child_cmdline, 0) == 0) ++n;
    }
    return n;
  };
  // The children exec their shell just after the fork.
  // A child that has just forked sleep shares its command line until that exec: wait for two, stably.
  int children = 0;
  for (int i = 0; i < 100 && (children = count_children()) != 2; ++i) usleep(20000);
  CHECK(children == 2);
  // TERM to pid 1 alone: a shell that is pid 1 of its namespace has no handler, so nothing happens.
  CHECK(rt({"kill", b.id(), "TERM"}).code == 0);
  usleep(200000);
  CHECK(count_children() == 2);
  CHECK(rt.status(b.id()) == "running");
  // TERM to every process: the children die, then pid 1's wait returns and it exits.
  auto k = rt({"kill", "--all", b.id(), "TERM"});
  INFO(k.all());
  CHECK(k.code == 0);
  CHECK(rt.wait_status(b.id(), "stopped", 5));
  int left = 0;
  for (int i = 0; i < 100 && (left = count_children()) > 0; ++i) usleep(20000);
  CHECK(left == 0);
}

TEST_CASE("concurrent creates of one id: exactly one wins and nothing leaks", "[lifecycle]") {
  Fixture fx;
  auto rt = fx.agentrt();
  auto& b = fx.bundle("race");
  b.add_ctl_mount().script(kWaitForGo);
  b.save();
  std::vector<std::future<Result>> creates;
  for (int i = 0; i < 4; ++i)
    creates.push_back(std::async(std::launch::async, [&] { return rt({"create", "-b", b.dir(), b.id()}); }));
  int won = 0;
  std::string log;
  for (auto& c : creates) {
    auto r = c.get();
    log += std::to_string(r.code) + ": " + r.err + "\n";
    if (r.code == 0) ++won;
  }
  INFO(log);
  CHECK(won == 1);
  CHECK(rt.status(b.id()) == "created");
  auto q = rt({"list", "-q"});
  CHECK(split_lines(q.out) == std::vector<std::string>{b.id()});
  REQUIRE(rt({"delete", b.id()}).code == 0);
  fx.check_no_leaks(b.id());
}

TEST_CASE("run -d of a process that exits at once leaves a stopped container", "[lifecycle]") {
  Fixture fx;
  auto rt = fx.agentrt();
  auto& b = fx.bundle("quick");
  b.script("exit 5");
  b.save();
  auto r = rt({"run", "-d", "-b", b.dir(), b.id()});
  INFO(r.all());
  CHECK(r.code == 0);
  CHECK(rt.wait_status(b.id(), "stopped"));
  CHECK(rt({"delete", b.id()}).code == 0);
}

TEST_CASE("a relative or default bundle is recorded as an absolute path; pid-file is relative to the cwd",
          "[lifecycle]") {
  Fixture fx;
  auto rt = fx.agentrt();
  auto& b = fx.bundle("relbundle");
  b.script("true");
  b.save();
  auto in_dir = [&](const stdfs::path& cwd, const std::vector<std::string>& args) {
    std::vector<std::string> argv{"/bin/sh", "-c", "cd \"$0\" && exec \"$@\"", cwd.string()};
    auto inner = rt.argv(args);
    argv.insert(argv.end(), inner.begin(), inner.end());
    return execute(argv);
  };
  SECTION("-b .") {
    auto r = in_dir(b.dir(), {"create", "-b", ".", "--pid-file", "rel.pid", b.id()});
    INFO(r.all());
    REQUIRE(r.code == 0);
  }
  SECTION("no -b: the current directory") {
    auto r = in_dir(b.dir(), {"create", "--pid-file", "rel.pid", b.id()});
    INFO(r.all());
    REQUIRE(r.code == 0);
  }
  SECTION("-b relative to the cwd") {
    auto r = in_dir(b.dir().parent_path(), {"create", "-b", b.dir().filename().string(), "--pid-file",
                                            (b.dir().filename() / "rel.pid").string(), b.id()});
    INFO(r.all());
    REQUIRE(r.code == 0);
  }
  auto st = rt.state(b.id());
  REQUIRE(st);
  CHECK((*st)["bundle"] == b.dir().string());
  CHECK((*st)["rootfs"] == b.rootfs().string());
  CHECK(trim(read_text(b.dir() / "rel.pid")) == std::to_string((*st)["pid"].get<int>()));
}

TEST_CASE("hooks run at their lifecycle points and see the state on stdin", "[lifecycle][hooks]") {
  Fixture fx;
  auto rt = fx.agentrt();
  auto& b = fx.bundle("hooks");
  auto log = b.dir() / "hooks.log";
  auto hook = [&](const std::string& name) {
    // Each hook appends its name and the status field of the state it reads on stdin.
    return json{{"path", "/bin/sh"},
                {"args",
                 {"sh", "-c",
                  "printf '%s ' " + name + " >> " + log.string() +
                      "; tr -d '\\n' | grep -o '\"status\": *\"[a-z]*\"' >> " + log.string()}}};
  };
  b.config()["hooks"] = {{"createRuntime", {hook("createRuntime")}},
                         {"prestart", {hook("prestart")}},
                         {"poststart", {hook("poststart")}},
                         {"poststop", {hook("poststop")}}};
  b.add_ctl_mount().script(kWaitForGo);
  b.save();
  REQUIRE(rt({"create", "-b", b.dir(), b.id()}).code == 0);
  auto after_create = split_lines(read_text(log));
  REQUIRE(rt({"start", b.id()}).code == 0);
  auto after_start = split_lines(read_text(log));
  fx.release(b);
  REQUIRE(rt.wait_status(b.id(), "stopped"));
  REQUIRE(rt({"delete", b.id()}).code == 0);
  auto all = split_lines(read_text(log));
  auto strip = [](std::vector<std::string> v) {
    for (auto& l : v) {
      std::string out;
      for (char c : l)
        if (c != ' ') out += c;
      l = out;
    }
    return v;
  };
  INFO(read_text(log));
  CHECK(strip(after_create) ==
        std::vector<std::string>{"prestart\"status\":\"creating\"", "createRuntime\"status\":\"creating\""});
  CHECK(after_start.size() == 3);  // poststart has run when start returns
  CHECK(strip(all) ==
        std::vector<std::string>{"prestart\"status\":\"creating\"", "createRuntime\"status\":\"creating\"",
                                 "poststart\"status\":\"running\"", "poststop\"status\":\"stopped\""});
}

TEST_CASE("run in the foreground forwards signals to the container's process", "[lifecycle]") {
  Fixture fx;
  auto rt = fx.agentrt();
  auto& b = fx.bundle("forward");
  b.add_ctl_mount().script(
      "trap 'echo GOT=TERM; exit 7' TERM; echo READY > /ctl/ready; while true; do sleep 0.05; done");
  b.save();
  auto run = std::async(std::launch::async, [&] { return rt({"run", "-b", b.dir(), b.id()}, 20); });
  for (int i = 0; i < 500 && !stdfs::exists(b.ctl() / "ready"); ++i) usleep(10000);
  REQUIRE(stdfs::exists(b.ctl() / "ready"));
  // The foreground agentrt: its command line still names the binary and the id.
  pid_t runner = -1;
  for (const auto& e : stdfs::directory_iterator("/proc")) {
    auto cmd = read_text(e.path() / "cmdline");
    if (cmd.rfind(agentrt_bin(), 0) == 0 && contains(cmd, b.id()) && contains(cmd, std::string("run") + '\0'))
      runner = std::stoi(e.path().filename().string());
  }
  REQUIRE(runner > 0);
  REQUIRE(kill(runner, SIGTERM) == 0);
  auto r = run.get();
  INFO(r.all());
  CHECK(value_of(r.out, "GOT") == "TERM");
  CHECK(r.code == 7);
}
