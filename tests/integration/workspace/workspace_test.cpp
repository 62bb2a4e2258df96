// Workspace review as an agent sees it: the agent's changes to a bind-mounted directory stay in the overlay's
// upper layer until `agentrt workspace commit`, which applies them to the host file by file.
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <csignal>
#include <fstream>

#include "integration_support/bundle.hpp"
#include "integration_support/runtime.hpp"
#include "integration_support/text.hpp"

using namespace itest;

namespace {

// Every entry under /ws with kind, mode, owner, link count (files), content checksum and link target; the
// same busybox script reads the agent's view and, through a plain bind, the host directory.
const char* kListing =
    "cd /ws && find . -exec stat -c '%n %F %a %u:%g' {} + | sort && "
    "find . -type f -exec stat -c '%n links %h' {} + | sort && find . -type f -exec md5sum {} + | sort && "
    "find . -type l -exec stat -c '%N' {} + | sort";

// What the agent does to its workspace: every kind of change the commit has to carry over.
const char* kAgentEdits =
    "set -e; cd /ws; "
    "echo changed > edit.txt; echo more >> owned.txt; "           // modify
    "echo created > new.txt; "                                    // create
    "rm gone.txt; "                                               // delete
    "mv src/move_me.c src/moved.c; "                              // rename a file
    "mv olddir newdir; "                                          // rename a directory (copy + whiteouts)
    "chmod 600 mode.sh; chmod 700 src; "                          // chmod a file and a lower directory
    "ln -s ../edit.txt src/link; "                                // symlink
    "ln new.txt hard.txt; "                                       // hard link
    "rm -r wipe; mkdir wipe; echo fresh > wipe/only; "            // directory replaced (opaque)
    "rm -r tree; "                                                // directory deleted
    "dd if=/dev/urandom of=big.bin bs=1M count=24 2>/dev/null; "  // large file
    "mkdir many; i=0; while [ $i -lt 3000 ]; do echo $i > many/f$i; i=$((i+1)); done; ";  // thousands

// The fixture's runtime uses one store for every test: each test's ids are its own.
void clear_store() {
  std::error_code ec;
  stdfs::remove_all("/var/tmp/workspace-itest-store", ec);
}

class WorkspaceFixture {
 public:
  WorkspaceFixture() {
    char tmpl[] = "/var/tmp/workspace-itest-XXXXXX";
    REQUIRE(::mkdtemp(tmpl));
    base_ = tmpl;
    host_ = base_ / "host";
    store_ = base_ / "store";
    stdfs::create_directories(host_ / "src");
    stdfs::create_directories(host_ / "olddir/inner");
    stdfs::create_directories(host_ / "wipe");
    stdfs::create_directories(host_ / "tree/deep");
    write("edit.txt", "original\n");
    write("gone.txt", "to be deleted\n");
    write("mode.sh", "#!/bin/sh\n");
    stdfs::permissions(host_ / "mode.sh", stdfs::perms(0755));
    write("owned.txt",
          "user's\n");  // owned by 1000, writable by all: the copy-up and the commit keep the owner
    REQUIRE(::chown((host_ / "owned.txt").c_str(), 1000, 1000) == 0);
    stdfs::permissions(host_ / "owned.txt", stdfs::perms(0666));
    write("src/move_me.c", "int main;\n");
    write("src/keep.c", "keep\n");
    write("olddir/inner/file", "inner\n");
    write("wipe/a", "a\n");
    write("wipe/b", "b\n");
    write("tree/deep/x", "x\n");
  }
  ~WorkspaceFixture() {
    for (const auto& id : ids_) rt_({"delete", "-f", id});
    std::error_code ec;
    stdfs::remove_all(base_, ec);
    clear_store();
  }

  void write(const std::string& rel, const std::string& text) { std::ofstream(host_ / rel) << text; }
  std::string read(const std::string& rel) {
    std::ifstream in(host_ / rel);
    return {std::istreambuf_iterator<char>(in), {}};
  }

  // A busybox bundle with host_ bound at /ws; `workspace` adds the annotation.
  Bundle& bundle(const std::string& id, const std::string& script, bool workspace) {
    ids_.push_back(id);
    auto& b = *bundles_.emplace_back(
        std::make_unique<Bundle>(base_ / (id + "-" + std::to_string(bundles_.size())), id, runc_spec(id)));
    b.config()["mounts"].push_back(
        {{"destination", "/ws"}, {"type", "bind"}, {"source", host_.string()}, {"options", {"rbind", "rw"}}});
    if (workspace) b.config()["annotations"]["run.agentrt.workspace"] = "/ws";
    b.sh(script);
    b.save();
    return b;
  }

  Result run(const std::string& id, const std::string& script, bool workspace) {
    auto& b = bundle(id, script, workspace);
    return rt_({"run", "--bundle", b.dir().string(), id}, 120);
  }

  // The host directory as the listing script sees it through a plain bind.
  std::string host_listing(const std::string& id) {
    Result r = run(id, kListing, false);
    REQUIRE(r.code == 0);
    return r.out;
  }

  Result ws(const std::vector<std::string>& args, int timeout_s = 120) {
    std::vector<std::string> a = {"workspace"};
    a.insert(a.end(), args.begin(), args.end());
    return rt_(a, timeout_s);
  }

  Runtime& rt() { return rt_; }
  const stdfs::path& store() const { return store_; }
  const stdfs::path& host() const { return host_; }

 private:
  stdfs::path base_, host_, store_;
  std::vector<std::string> ids_;
  std::vector<std::unique_ptr<Bundle>> bundles_;
  Runtime rt_{agentrt_bin(), "/run/workspace-itest", {"--workspace-store", "/var/tmp/workspace-itest-store"}};
};

}  // namespace

TEST_CASE("workspace: the host is unchanged until commit and equal to the agent's view after it",
          "[workspace]") {
  if (geteuid() != 0) FAIL("needs root");
  clear_store();
  WorkspaceFixture f;
  const std::string before = f.host_listing("workspace-l0");
  Result agent = f.run("workspace-agent", std::string(kAgentEdits) + "echo ===; " + kListing, true);
  INFO(agent.all());
  REQUIRE(agent.code == 0);
  const std::string agent_view = agent.out.substr(agent.out.find("===\n") + 4);
  CHECK(agent_view != before);
  CHECK(f.host_listing("workspace-l1") == before);

  Result diff = f.ws({"diff", "--json", "workspace-agent"});
  REQUIRE(diff.code == 0);
  auto changes = json::parse(diff.out);
  std::map<std::string, std::string> by_path;
  for (const auto& c : changes)
    by_path[c["path"]] = c["change"].get<std::string>() + " " + c["kind"].get<std::string>();
  CHECK(by_path["/ws/edit.txt"] == "modified file");
  CHECK(by_path["/ws/new.txt"] == "added file");
  CHECK(by_path["/ws/gone.txt"] == "deleted file");
  CHECK(by_path["/ws/src/move_me.c"] == "deleted file");
  CHECK(by_path["/ws/src/moved.c"] == "added file");
  CHECK(by_path["/ws/src"] == "modified dir");
  CHECK(by_path["/ws/src/link"] == "added symlink");
  CHECK(by_path["/ws/wipe"] == "modified dir");
  CHECK(by_path["/ws/wipe/a"] == "deleted file");
  CHECK(by_path["/ws/tree"] == "deleted dir");
  CHECK(by_path["/ws/many/f2999"] == "added file");
  CHECK(by_path.count("/ws/tree/deep") == 0);  // goes with its deleted parent

  Result patch = f.ws({"diff", "--patch", "workspace-agent", "/ws/edit.txt"});
  CHECK(patch.code == 0);
  CHECK(patch.out.find("-original\n+changed\n") != std::string::npos);

  Result commit = f.ws({"commit", "workspace-agent"});
  INFO(commit.all());
  REQUIRE(commit.code == 0);
  CHECK(f.host_listing("workspace-l2") == agent_view);
  CHECK(f.read("edit.txt") == "changed\n");
  struct stat a {
  }, b{};
  REQUIRE(::stat((f.host() / "new.txt").c_str(), &a) == 0);
  REQUIRE(::stat((f.host() / "hard.txt").c_str(), &b) == 0);
  CHECK(a.st_ino == b.st_ino);
  REQUIRE(::stat((f.host() / "owned.txt").c_str(), &a) == 0);
  CHECK(a.st_uid == 1000);
  CHECK(a.st_gid == 1000);
  CHECK(f.read("owned.txt") == "user's\nmore\n");
  REQUIRE(::stat((f.host() / "mode.sh").c_str(), &a) == 0);
  CHECK((a.st_mode & 07777) == 0600);

  // Nothing is left to review; discard removes the store.
  Result left = f.ws({"diff", "workspace-agent"});
  CHECK(left.code == 0);
  CHECK(left.out.empty());
  CHECK(f.ws({"discard", "workspace-agent"}).code == 0);
  CHECK_FALSE(stdfs::exists("/var/tmp/workspace-itest-store/workspace-agent"));
}

TEST_CASE("workspace: discard leaves the host as it was and removes the store", "[workspace]") {
  if (geteuid() != 0) FAIL("needs root");
  clear_store();
  WorkspaceFixture f;
  const std::string before = f.host_listing("workspace-d0");
  REQUIRE(f.run("workspace-dagent", kAgentEdits, true).code == 0);
  REQUIRE(stdfs::exists("/var/tmp/workspace-itest-store/workspace-dagent/m0/upper/big.bin"));
  // One path first, then the rest.
  Result one = f.ws({"discard", "workspace-dagent", "/ws/many"});
  CHECK(one.code == 0);
  // A deletion hidden by a replaced directory goes back only with that directory.
  Result hidden = f.ws({"discard", "workspace-dagent", "/ws/wipe/a"});
  CHECK(hidden.code != 0);
  CHECK(hidden.err.find("discard that directory instead") != std::string::npos);
  CHECK_FALSE(stdfs::exists("/var/tmp/workspace-itest-store/workspace-dagent/m0/upper/many"));
  Result rest = f.ws({"discard", "workspace-dagent"});
  INFO(rest.all());
  CHECK(rest.code == 0);
  CHECK(rest.out.find("workspace removed") != std::string::npos);
  CHECK_FALSE(stdfs::exists("/var/tmp/workspace-itest-store/workspace-dagent"));
  CHECK(f.host_listing("workspace-d1") == before);
}

TEST_CASE("workspace: a host file changed since create is a conflict and is not overwritten", "[workspace]") {
  if (geteuid() != 0) FAIL("needs root");
  clear_store();
  WorkspaceFixture f;
  REQUIRE(f.run("workspace-cagent", "echo agent > /ws/edit.txt; echo agent > /ws/src/keep.c", true).code ==
          0);
  f.write("edit.txt", "the user's own edit\n");
  Result commit = f.ws({"commit", "workspace-cagent"});
  CHECK(commit.code == 3);
  CHECK(commit.err.find("conflict: /ws/edit.txt") != std::string::npos);
  CHECK(f.read("edit.txt") == "the user's own edit\n");
  CHECK(f.read("src/keep.c") == "agent\n");  // the change without a conflict went in
  Result left = f.ws({"diff", "workspace-cagent"});
  CHECK(left.out == "M /ws/edit.txt\n");
  CHECK(f.ws({"discard", "workspace-cagent"}).code == 0);
  CHECK(f.read("edit.txt") == "the user's own edit\n");
}

TEST_CASE("workspace: a commit killed half-way finishes when run again", "[workspace]") {
  if (geteuid() != 0) FAIL("needs root");
  for (const char* point : {"workspace:commit-journaled", "workspace:commit-renamed"}) {
    DYNAMIC_SECTION(point) {
      clear_store();
      WorkspaceFixture f;
      Result agent = f.run("workspace-kagent", std::string(kAgentEdits) + "echo ===; " + kListing, true);
      REQUIRE(agent.code == 0);
      const std::string agent_view = agent.out.substr(agent.out.find("===\n") + 4);
      RunOptions kill_at;
      kill_at.env["AGENTRT_FAULT_POINT"] = point;
      kill_at.timeout_s = 120;
      Result killed = f.rt()({"workspace", "commit", "workspace-kagent"}, kill_at);
      CHECK(killed.code == 128 + SIGKILL);
      Result rerun = f.ws({"commit", "workspace-kagent"});
      INFO(rerun.all());
      CHECK(rerun.code == 0);
      CHECK(f.host_listing("workspace-k1") == agent_view);
      CHECK(f.ws({"discard", "workspace-kagent"}).code == 0);
    }
  }
}

TEST_CASE("workspace: commit and discard wait for the container to stop or pause", "[workspace]") {
  if (geteuid() != 0) FAIL("needs root");
  clear_store();
  WorkspaceFixture f;
  auto& b = f.bundle("workspace-ragent", "echo x > /ws/new.txt; sleep 100", true);
  REQUIRE(f.rt()({"run", "-d", "--bundle", b.dir().string(), "workspace-ragent"}).code == 0);
  Result commit = f.ws({"commit", "workspace-ragent"});
  CHECK(commit.code != 0);
  CHECK(commit.err.find("the container is running: stop or pause it first") != std::string::npos);
  Result discard = f.ws({"discard", "workspace-ragent"});
  CHECK(discard.code != 0);
  CHECK(discard.err.find("the container is running: stop it first") != std::string::npos);
  CHECK_FALSE(stdfs::exists(f.host() / "new.txt"));
  REQUIRE(f.rt()({"delete", "-f", "workspace-ragent"}).code == 0);
  // The store outlives the container.
  Result list = f.ws({"list", "--json"});
  REQUIRE(list.code == 0);
  auto all = json::parse(list.out);
  REQUIRE(all.size() == 1);
  CHECK(all[0]["id"] == "workspace-ragent");
  CHECK(all[0]["changes"] == 1);
  CHECK(f.ws({"commit", "workspace-ragent"}).code == 0);
  CHECK(f.read("new.txt") == "x\n");
  CHECK(f.ws({"discard", "workspace-ragent"}).code == 0);
}

TEST_CASE("workspace: bad settings fail create with the field named and leave nothing", "[workspace]") {
  if (geteuid() != 0) FAIL("needs root");
  clear_store();
  WorkspaceFixture f;
  auto& b = f.bundle("workspace-bad", "true", false);
  b.config()["annotations"]["run.agentrt.workspace"] = "/proc";
  b.save();
  Result r = f.rt()({"create", "--bundle", b.dir().string(), "workspace-bad"});
  CHECK(r.code != 0);
  // (The log line escapes the quotes around the type.)
  CHECK(r.err.find("workspace /proc (mounts[0]): type") != std::string::npos);
  CHECK(r.err.find("is not a bind mount of a host directory") != std::string::npos);
  CHECK_FALSE(stdfs::exists("/run/workspace-itest/workspace-bad"));
  CHECK_FALSE(stdfs::exists("/var/tmp/workspace-itest-store/workspace-bad"));

  Result flag = f.rt()({"--workspace", "relative", "create", "--bundle", b.dir().string(), "workspace-bad"});
  CHECK(flag.code != 0);
  CHECK(flag.err.find("--workspace: destination") != std::string::npos);
  CHECK(flag.err.find("relative") != std::string::npos);
  CHECK(flag.err.find("is not an absolute path") != std::string::npos);

  // An earlier container's changes under the same id are never mixed with a new one's.
  REQUIRE(f.run("workspace-again", "echo 1 > /ws/new.txt", true).code == 0);
  Result again = f.run("workspace-again", "true", true);
  CHECK(again.code != 0);
  CHECK(again.err.find("exists (changes of an earlier container workspace-again)") != std::string::npos);
  CHECK_FALSE(stdfs::exists("/run/workspace-itest/workspace-again"));
  CHECK(f.ws({"diff", "workspace-again"}).out == "A /ws/new.txt\n");
  CHECK(f.ws({"discard", "workspace-again"}).code == 0);
}
