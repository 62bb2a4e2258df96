// The same lifecycle scenarios driven through runc and through agentrt (--profile off): the state
// transitions and exit codes must be identical.
#include <signal.h>

#include <catch2/catch.hpp>
#include <future>
#include <sstream>

#include "support.hpp"

using namespace lifecycle_test;

namespace {

// One observation per step: "<step>: exit=<code> status=<status or ->".
class Transcript {
 public:
  explicit Transcript(const Runtime& rt) : rt_(rt) {}
  void step(const std::string& name, const Result& r, const std::string& id) {
    auto status = rt_.status(id);
    lines_.push_back(name + ": exit=" + std::to_string(r.code) +
                     " status=" + (status.empty() ? "-" : status));
    log_ << name << " -> " << r.code << "\n" << r.all();
  }
  // For a step whose effect is asynchronous: only the exit code.
  void exit_only(const std::string& name, const Result& r) {
    lines_.push_back(name + ": exit=" + std::to_string(r.code));
    log_ << name << " -> " << r.code << "\n" << r.all();
  }
  void note(const std::string& line) { lines_.push_back(line); }
  const std::vector<std::string>& lines() const { return lines_; }
  std::string log() const { return log_.str(); }

 private:
  const Runtime& rt_;
  std::vector<std::string> lines_;
  std::ostringstream log_;
};

Bundle& waiting_bundle(Fixture& fx, const std::string& tag) {
  auto& b = fx.bundle(tag);
  b.add_ctl_mount().script(kWaitForGo);
  b.save();
  return b;
}

std::vector<std::string> scenario(Fixture& fx, const Runtime& rt, std::string& log) {
  Transcript t(rt);

  // create -> start -> exit -> delete
  auto& a = waiting_bundle(fx, "cmp");
  t.step("create", rt({"create", "-b", a.dir(), a.id()}), a.id());
  t.step("create again", rt({"create", "-b", a.dir(), a.id()}), a.id());
  t.step("start", rt({"start", a.id()}), a.id());
  t.note("running: " + std::to_string(rt.wait_status(a.id(), "running")));
  t.step("start again", rt({"start", a.id()}), a.id());
  t.step("delete running", rt({"delete", a.id()}), a.id());
  fx.release(a);
  t.note("stopped: " + std::to_string(rt.wait_status(a.id(), "stopped")));
  t.step("start stopped", rt({"start", a.id()}), a.id());
  t.step("kill stopped", rt({"kill", a.id(), "KILL"}), a.id());
  t.step("delete", rt({"delete", a.id()}), a.id());
  t.step("state deleted", rt({"state", a.id()}), a.id());

  // kill a running container, force-delete another
  auto& k = waiting_bundle(fx, "cmpkill");
  t.step("create", rt({"create", "-b", k.dir(), k.id()}), k.id());
  t.step("start", rt({"start", k.id()}), k.id());
  t.note("running: " + std::to_string(rt.wait_status(k.id(), "running")));
  t.step("kill 9", rt({"kill", k.id(), "9"}), k.id());
  t.note("stopped: " + std::to_string(rt.wait_status(k.id(), "stopped")));
  t.step("delete", rt({"delete", k.id()}), k.id());

  // pause and resume
  auto& p = waiting_bundle(fx, "cmppause");
  t.step("run -d", rt({"run", "-d", "-b", p.dir(), p.id()}), p.id());
  t.note("running: " + std::to_string(rt.wait_status(p.id(), "running")));
  t.step("pause", rt({"pause", p.id()}), p.id());
  t.step("pause again", rt({"pause", p.id()}), p.id());
  t.step("start paused", rt({"start", p.id()}), p.id());
  t.step("delete paused", rt({"delete", p.id()}), p.id());
  t.step("resume", rt({"resume", p.id()}), p.id());
  t.step("resume again", rt({"resume", p.id()}), p.id());
  t.step("pause again", rt({"pause", p.id()}), p.id());
  t.step("delete --force paused", rt({"delete", "--force", p.id()}), p.id());
  auto& pc = waiting_bundle(fx, "cmppausec");
  t.step("create", rt({"create", "-b", pc.dir(), pc.id()}), pc.id());
  t.step("pause created", rt({"pause", pc.id()}), pc.id());
  t.step("resume created", rt({"resume", pc.id()}), pc.id());
  t.step("delete --force", rt({"delete", "--force", pc.id()}), pc.id());

  // TERM to a created container: runc's waiting init dies of it
  auto& term = waiting_bundle(fx, "cmpterm");
  t.step("create", rt({"create", "-b", term.dir(), term.id()}), term.id());
  t.exit_only("kill created TERM", rt({"kill", term.id(), "TERM"}));
  t.note("stopped after TERM: " + std::to_string(rt.wait_status(term.id(), "stopped", 2)));
  t.step("delete --force", rt({"delete", "--force", term.id()}), term.id());

  auto& f = waiting_bundle(fx, "cmpforce");
  t.step("run -d", rt({"run", "-d", "-b", f.dir(), f.id()}), f.id());
  t.note("running: " + std::to_string(rt.wait_status(f.id(), "running")));
  t.step("delete --force", rt({"delete", "--force", f.id()}), f.id());

  // a created container can be deleted, and killed
  auto& c = waiting_bundle(fx, "cmpcreated");
  t.step("create", rt({"create", "-b", c.dir(), c.id()}), c.id());
  auto st_json = rt.state(c.id());
  std::string keys;
  if (st_json)
    for (const auto& [key, value] : st_json->items())
      if (key != "agentrt") keys += key + " ";
  t.note("state keys: " + keys);
  t.step("delete created", rt({"delete", c.id()}), c.id());
  auto& ck = waiting_bundle(fx, "cmpckill");
  t.step("create", rt({"create", "-b", ck.dir(), ck.id()}), ck.id());
  t.step("kill created KILL", rt({"kill", ck.id(), "KILL"}), ck.id());
  t.note("stopped: " + std::to_string(rt.wait_status(ck.id(), "stopped")));
  t.step("delete", rt({"delete", ck.id()}), ck.id());

  // run exit codes
  for (std::string code : {"0", "3", "42"}) {
    auto& r = fx.bundle("cmprun");
    r.script("exit " + code);
    r.save();
    t.step("run exit " + code, rt({"run", "-b", r.dir(), r.id()}), r.id());
  }
  auto& x = fx.bundle("cmpnoexec");
  x.config()["process"]["args"] = {"/no/such/binary"};
  x.save();
  t.step("run missing executable", rt({"run", "-b", x.dir(), x.id()}), x.id());
  auto& s = fx.bundle("cmpsig");
  s.script("while true; do sleep 0.05; done");
  s.save();
  auto run = std::async(std::launch::async, [&] { return rt({"run", "-b", s.dir(), s.id()}, 20); });
  t.note("running: " + std::to_string(rt.wait_status(s.id(), "running")));
  auto st = rt.state(s.id());
  if (st) kill((*st)["pid"].get<int>(), SIGKILL);
  t.step("run killed", run.get(), s.id());

  // unknown ids
  auto unknown = unique_id("cmpnone");
  for (std::string cmd : {"start", "state", "delete"}) t.step(cmd + " unknown", rt({cmd, unknown}), unknown);
  t.step("kill unknown", rt({"kill", unknown, "KILL"}), unknown);
  t.step("delete --force unknown", rt({"delete", "--force", unknown}), unknown);

  // a bundle whose rootfs is missing
  auto& m = fx.bundle("cmpbad");
  m.config()["root"]["path"] = "missing";
  m.save();
  t.step("create missing rootfs", rt({"create", "-b", m.dir(), m.id()}), m.id());

  log = t.log();
  return t.lines();
}

}  // namespace

TEST_CASE("agentrt and runc go through the same states with the same exit codes", "[runc]") {
  Fixture fx;
  std::string runc_log, agentrt_log;
  auto with_runc = scenario(fx, fx.runc(), runc_log);
  auto with_agentrt = scenario(fx, fx.agentrt(), agentrt_log);
  REQUIRE(with_runc.size() == with_agentrt.size());
  for (size_t i = 0; i < with_runc.size(); ++i) {
    INFO("runc log:\n" << runc_log << "\nagentrt log:\n" << agentrt_log);
    CHECK(with_agentrt[i] == with_runc[i]);
  }
  // Sanity: runc itself behaved as the OCI lifecycle says.
  CHECK(with_runc[0] == "create: exit=0 status=created");
  CHECK(with_runc[2] == "start: exit=0 status=running");
}
