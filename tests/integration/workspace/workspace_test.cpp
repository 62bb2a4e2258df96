// Workspace review as an agent sees it: the agent's changes to a bind-mounted directory stay in the overlay's
// upper layer until `agentrt workspace commit`, which applies them to the host file by file.
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <csignal>
#include <fstream>
#include <map>
#include <set>

#include "integration_support/bundle.hpp"
#include "integration_support/process.hpp"
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

// What an agent's tools do: a 100 MiB file, a git commit (git copied in from the host), and a package
// manager's tree of 1000 packages (6000 entries: nested directories, files and .bin symlinks).
const char* kAgentTools =
    "set -e; cd /ws; "
    "dd if=/dev/urandom of=big100.bin bs=1M count=100 2>/dev/null; "
    "cd repo; echo 'agent line' >> README; echo new > added.c; git add -A; "
    "git -c user.name=agent -c user.email=agent@example.invalid commit -q -m 'agent change'; cd ..; "
    "mkdir -p node_modules/.bin; i=0; while [ $i -lt 1000 ]; do "
    "d=node_modules/pkg$i; mkdir -p $d/lib; echo '{\"name\":\"pkg'$i'\"}' > $d/package.json; "
    "echo \"module.exports=$i\" > $d/lib/index.js; echo readme > $d/README.md; "
    "ln -s ../pkg$i/lib/index.js node_modules/.bin/pkg$i; i=$((i+1)); done; ";

// The fixture's runtime uses one store for every test: each test's ids are its own.
const stdfs::path kStore = "/var/tmp/workspace-itest-store";

void clear_store() {
  std::error_code ec;
  stdfs::remove_all(kStore, ec);
}

stdfs::path store_dir(const std::string& id) {
  return kStore / id;
}

// "/a/b" is under "/a" and "/a/b"; "/ab" is not.
bool is_under_path(const std::string& path, const std::string& dir) {
  return path == dir ||
         (path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 && path[dir.size()] == '/');
}

// A mount made by the test, detached when it goes.
class ScopedMount {
 public:
  ScopedMount(const std::string& type, const stdfs::path& target, const std::string& data) : target_(target) {
    stdfs::create_directories(target);
    INFO("mount " << type << " " << target << " " << data);
    REQUIRE(::mount(type.c_str(), target.c_str(), type.c_str(), 0, data.c_str()) == 0);
  }
  ~ScopedMount() { ::umount2(target_.c_str(), MNT_DETACH); }
  ScopedMount(const ScopedMount&) = delete;
  ScopedMount& operator=(const ScopedMount&) = delete;

 private:
  stdfs::path target_;
};

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

  Result run(const std::string& id, const std::string& script, bool workspace, int timeout_s = 120) {
    auto& b = bundle(id, script, workspace);
    return rt_({"run", "--bundle", b.dir().string(), id}, timeout_s);
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
  const stdfs::path& base() const { return base_; }
  const stdfs::path& store() const { return store_; }
  const stdfs::path& host() const { return host_; }

 private:
  stdfs::path base_, host_, store_;
  std::vector<std::string> ids_;
  std::vector<std::unique_ptr<Bundle>> bundles_;
  Runtime rt_{agentrt_bin(), "/run/workspace-itest", {"--workspace-store", kStore.string()}};
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
  CHECK_FALSE(stdfs::exists(store_dir("workspace-agent")));
}

TEST_CASE("workspace: an agent's git commit, 100 MiB file and package tree reach the host only by commit",
          "[workspace][agent-tools]") {
  if (geteuid() != 0) FAIL("needs root");
  clear_store();
  WorkspaceFixture f;
  const auto git = [&](const std::vector<std::string>& args) {
    std::vector<std::string> argv = {"/usr/bin/git",   "-C", (f.host() / "repo").string(),     "-c",
                                     "user.name=user", "-c", "user.email=user@example.invalid"};
    argv.insert(argv.end(), args.begin(), args.end());
    Result r = execute(argv, 60);
    INFO(r.all());
    REQUIRE(r.code == 0);
    return r.out;
  };
  stdfs::create_directories(f.host() / "repo");
  git({"init", "-q", "-b", "main"});
  f.write("repo/README", "the user's project\n");
  git({"add", "README"});
  git({"commit", "-q", "-m", "initial"});
  const std::string before = f.host_listing("workspace-t0");

  auto& b = f.bundle("workspace-tools", std::string(kAgentTools) + "echo ===; " + kListing, true);
  b.add_host_program("/usr/bin/git");
  Result agent = f.rt()({"run", "--bundle", b.dir().string(), "workspace-tools"}, 600);
  INFO(agent.all());
  REQUIRE(agent.code == 0);
  const std::string agent_view = agent.out.substr(agent.out.find("===\n") + 4);
  CHECK(f.host_listing("workspace-t1") == before);
  CHECK(git({"log", "--format=%s"}) == "initial\n");

  // The diff lists exactly what the agent did: outside .git the expected paths, nothing else.
  Result diff = f.ws({"diff", "--json", "workspace-tools"});
  REQUIRE(diff.code == 0);
  std::map<std::string, json> by_path;
  for (const auto& c : json::parse(diff.out)) by_path[c["path"]] = c;
  std::set<std::string> expected = {"/ws/big100.bin", "/ws/repo/README", "/ws/repo/added.c",
                                    "/ws/node_modules", "/ws/node_modules/.bin"};
  for (int i = 0; i < 1000; ++i) {
    std::string d = "/ws/node_modules/pkg" + std::to_string(i);
    expected.insert({d, d + "/lib", d + "/lib/index.js", d + "/package.json", d + "/README.md",
                     "/ws/node_modules/.bin/pkg" + std::to_string(i)});
  }
  std::vector<std::string> unexpected, missing;
  for (const auto& [path, c] : by_path)
    if (!is_under_path(path, "/ws/repo/.git") && !expected.count(path)) unexpected.push_back(path);
  for (const auto& path : expected)
    if (!by_path.count(path)) missing.push_back(path);
  CHECK(unexpected == std::vector<std::string>{});
  CHECK(missing == std::vector<std::string>{});
  CHECK(by_path["/ws/big100.bin"]["size"] == 100 * 1024 * 1024);
  CHECK(by_path["/ws/repo/README"]["change"] == "modified");
  CHECK(by_path["/ws/node_modules/.bin/pkg7"]["kind"] == "symlink");
  CHECK(by_path["/ws/node_modules/.bin/pkg7"]["target"] == "../pkg7/lib/index.js");
  CHECK(by_path["/ws/repo/.git/refs/heads/main"]["change"] == "modified");
  CHECK(by_path["/ws/repo/.git/index"]["change"] == "modified");

  Result commit = f.ws({"commit", "workspace-tools"}, 600);
  INFO(commit.all());
  REQUIRE(commit.code == 0);
  CHECK(f.host_listing("workspace-t2") == agent_view);
  // The host's git sees the agent's commit as its own history, and the repository is sound.
  CHECK(git({"log", "--format=%s"}) == "agent change\ninitial\n");
  git({"fsck", "--strict"});
  CHECK(git({"status", "--porcelain"}).empty());
  CHECK(f.ws({"diff", "workspace-tools"}).out.empty());
  CHECK(f.ws({"discard", "workspace-tools"}).code == 0);
  CHECK_FALSE(stdfs::exists(store_dir("workspace-tools")));
}

TEST_CASE("workspace: discard leaves the host as it was and removes the store", "[workspace]") {
  if (geteuid() != 0) FAIL("needs root");
  clear_store();
  WorkspaceFixture f;
  const std::string before = f.host_listing("workspace-d0");
  REQUIRE(f.run("workspace-dagent", kAgentEdits, true).code == 0);
  REQUIRE(stdfs::exists((store_dir("workspace-dagent") / "m0/upper/big.bin")));
  // One path first, then the rest.
  Result one = f.ws({"discard", "workspace-dagent", "/ws/many"});
  CHECK(one.code == 0);
  // A deletion hidden by a replaced directory goes back only with that directory.
  Result hidden = f.ws({"discard", "workspace-dagent", "/ws/wipe/a"});
  CHECK(hidden.code != 0);
  CHECK(hidden.err.find("discard that directory instead") != std::string::npos);
  CHECK_FALSE(stdfs::exists((store_dir("workspace-dagent") / "m0/upper/many")));
  Result rest = f.ws({"discard", "workspace-dagent"});
  INFO(rest.all());
  CHECK(rest.code == 0);
  CHECK(rest.out.find("workspace removed") != std::string::npos);
  CHECK_FALSE(stdfs::exists(store_dir("workspace-dagent")));
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
  // Killed while the 24 MiB file is half copied, after a step is journaled, after its rename.
  for (const char* point :
       {"workspace:commit-copying", "workspace:commit-journaled", "workspace:commit-renamed"}) {
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
      // What shows under its own name is whole: the large file is absent or complete, never half-written.
      std::error_code ec;
      auto size = stdfs::file_size(f.host() / "big.bin", ec);
      CHECK((ec || size == 24u << 20));
      Result rerun = f.ws({"commit", "workspace-kagent"});
      INFO(rerun.all());
      CHECK(rerun.code == 0);
      CHECK(f.host_listing("workspace-k1") == agent_view);
      CHECK(f.ws({"discard", "workspace-kagent"}).code == 0);
    }
  }
}

TEST_CASE("workspace: commit and discard wait for the container to stop, paused or not", "[workspace]") {
  if (geteuid() != 0) FAIL("needs root");
  clear_store();
  WorkspaceFixture f;
  auto& b = f.bundle("workspace-ragent", "echo x > /ws/new.txt; sleep 100", true);
  REQUIRE(f.rt()({"run", "-d", "--bundle", b.dir().string(), "workspace-ragent"}).code == 0);
  for (const char* status : {"running", "paused"}) {
    if (std::string(status) == "paused") REQUIRE(f.rt()({"pause", "workspace-ragent"}).code == 0);
    REQUIRE(f.rt().status("workspace-ragent") == status);
    for (const char* what : {"commit", "discard"}) {
      Result r = f.ws({what, "workspace-ragent"});
      INFO(what << " while " << status << ": " << r.all());
      CHECK(r.code != 0);
      CHECK(contains(r.err, std::string("workspace ") + what + " workspace-ragent: the container is " +
                                status + ": stop it first"));
    }
  }
  // Asked with another --root (as a user asks about Docker's containers), the store knows where to look.
  Runtime elsewhere(agentrt_bin(), "/run/workspace-itest-other", {"--workspace-store", kStore.string()});
  Result other = elsewhere({"workspace", "commit", "workspace-ragent"});
  CHECK(contains(other.err, "workspace commit workspace-ragent: the container is paused: stop it first"));
  CHECK_FALSE(stdfs::exists(f.host() / "new.txt"));
  CHECK(stdfs::exists(store_dir("workspace-ragent") / "m0/upper/new.txt"));
  REQUIRE(f.rt()({"delete", "-f", "workspace-ragent"}).code == 0);
  // The store outlives the container.
  Result list = f.ws({"list", "--json"});
  REQUIRE(list.code == 0);
  auto all = json::parse(list.out);
  REQUIRE(all.size() == 1);
  CHECK(all[0]["id"] == "workspace-ragent");
  CHECK(all[0]["changes"] == 1);
  CHECK(all[0]["size"] == 2);  // "x\n"
  Result text = f.ws({"list"});
  CHECK(contains(text.out, "SIZE       CREATED"));
  CHECK(contains(text.out, "2B         20"));  // the size, then the creation time
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
  CHECK_FALSE(stdfs::exists(store_dir("workspace-bad")));

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

TEST_CASE("workspace: a full store gives the agent ENOSPC and loses nothing", "[workspace][failure]") {
  if (geteuid() != 0) FAIL("needs root");
  clear_store();
  WorkspaceFixture f;
  const std::string before = f.host_listing("workspace-f0");
  const stdfs::path small = f.base() / "small-store";
  ScopedMount tmpfs("tmpfs", small, "size=16m,mode=0700");
  Runtime rt(agentrt_bin(), "/run/workspace-itest", {"--workspace-store", small.string()});
  auto& b = f.bundle("workspace-full",
                     "echo small > /ws/small.txt; echo changed > /ws/edit.txt; "
                     "dd if=/dev/zero of=/ws/huge.bin bs=1M count=64; echo dd=$?",
                     true);
  Result agent = rt({"run", "--bundle", b.dir().string(), "workspace-full"}, 120);
  INFO(agent.all());
  REQUIRE(agent.code == 0);
  CHECK(contains(agent.all(), "No space left on device"));
  CHECK(contains(agent.out, "dd=1"));
  CHECK(f.host_listing("workspace-f1") == before);

  const auto ws = [&](std::vector<std::string> args) {
    args.insert(args.begin(), "workspace");
    return rt(args, 120);
  };
  Result diff = ws({"diff", "workspace-full"});
  INFO(diff.all());
  CHECK(diff.code == 0);
  CHECK(diff.out == "M /ws/edit.txt\nA /ws/huge.bin\nA /ws/small.txt\n");
  // The half-written file goes by discard; the rest commits on the still full store (its reserve).
  Result drop = ws({"discard", "workspace-full", "/ws/huge.bin"});
  INFO(drop.all());
  CHECK(drop.code == 0);
  Result commit = ws({"commit", "workspace-full"});
  INFO(commit.all());
  CHECK(commit.code == 0);
  CHECK(f.read("small.txt") == "small\n");
  CHECK(f.read("edit.txt") == "changed\n");
  CHECK_FALSE(stdfs::exists(f.host() / "huge.bin"));
  CHECK(ws({"discard", "workspace-full"}).code == 0);
  CHECK_FALSE(stdfs::exists(small / "workspace-full"));
}

TEST_CASE("workspace: a commit with no room for its journal fails cleanly, and works once there is room",
          "[workspace][failure]") {
  if (geteuid() != 0) FAIL("needs root");
  clear_store();
  WorkspaceFixture f;
  const stdfs::path small = f.base() / "small-store";
  ScopedMount tmpfs("tmpfs", small, "size=8m,mode=0700");
  Runtime rt(agentrt_bin(), "/run/workspace-itest", {"--workspace-store", small.string()});
  auto& b =
      f.bundle("workspace-fullc",
               "mkdir /ws/many; i=0; while [ $i -lt 200 ]; do echo $i > /ws/many/f$i; i=$((i+1)); done; "
               "dd if=/dev/zero of=/ws/huge.bin bs=1M count=64 2>/dev/null; true",
               true);
  REQUIRE(rt({"run", "--bundle", b.dir().string(), "workspace-fullc"}, 120).code == 0);
  // A store without its reserve (made before there was one): the full store has no room for the journal.
  // The space it freed goes to the agent's file as well.
  REQUIRE(stdfs::remove(small / "workspace-fullc/reserve"));
  Result fill =
      execute({"/bin/dd", "if=/dev/zero", "of=" + (small / "workspace-fullc/m0/upper/huge.bin").string(),
               "bs=64k", "count=64", "oflag=append", "conv=notrunc"});
  REQUIRE(contains(fill.err, "No space left on device"));
  const std::string before = f.host_listing("workspace-fc0");
  Result commit = rt({"workspace", "commit", "workspace-fullc", "/ws/many"}, 120);
  INFO(commit.all());
  CHECK(commit.code != 0);
  CHECK(contains(commit.err, "No space left on device"));
  CHECK(contains(commit.err, "commit journal"));
  CHECK(f.host_listing("workspace-fc1") == before);  // nothing half-made: not even a temp file
  CHECK(rt({"workspace", "discard", "workspace-fullc", "/ws/huge.bin"}).code == 0);
  Result again = rt({"workspace", "commit", "workspace-fullc"}, 120);
  INFO(again.all());
  CHECK(again.code == 0);
  CHECK(f.read("many/f199") == "199\n");
  CHECK(rt({"workspace", "discard", "workspace-fullc"}).code == 0);
  CHECK_FALSE(stdfs::exists(small / "workspace-fullc"));
}

TEST_CASE("workspace: a host directory overlayfs cannot stack on fails create naming it, leaving nothing",
          "[workspace][failure]") {
  if (geteuid() != 0) FAIL("needs root");
  clear_store();
  WorkspaceFixture f;
  // The host directory on an overlay over an overlay: the kernel stacks filesystems at most two deep, so the
  // workspace's own overlay on top is refused.
  const stdfs::path n = f.base() / "nested";
  for (const char* d : {"l1", "u1", "w1", "u2", "w2"}) stdfs::create_directories(n / d);
  ScopedMount first("overlay", n / "a",
                    "lowerdir=" + (n / "l1").string() + ",upperdir=" + (n / "u1").string() +
                        ",workdir=" + (n / "w1").string());
  ScopedMount second("overlay", n / "b",
                     "lowerdir=" + (n / "a").string() + ",upperdir=" + (n / "u2").string() +
                         ",workdir=" + (n / "w2").string());
  stdfs::create_directories(n / "b/proj");
  auto& b = f.bundle("workspace-deep", "echo x > /ws/x", true);
  for (auto& m : b.config()["mounts"])
    if (m["destination"] == "/ws") m["source"] = (n / "b/proj").string();
  b.save();
  Result r = f.rt()({"run", "--bundle", b.dir().string(), "workspace-deep"});
  INFO(r.all());
  CHECK(r.code != 0);
  CHECK(contains(r.err, "workspace /ws: overlayfs refuses the host directory " + (n / "b/proj").string() +
                            " as its lower layer"));
  CHECK_FALSE(stdfs::exists("/run/workspace-itest/workspace-deep"));
  CHECK_FALSE(stdfs::exists(store_dir("workspace-deep")));
  CHECK(cgroups_named("workspace-deep").empty());
  CHECK(stdfs::is_empty(n / "b/proj"));
}

TEST_CASE("workspace: a store written in format 1 is read by this build", "[workspace][upgrade]") {
  if (geteuid() != 0) FAIL("needs root");
  clear_store();
  WorkspaceFixture f;
  // tests/data/workspace/store-format-1.tar: the store an agent left (edit, add, delete, a directory renamed
  // into a copy and a whiteout, a symlink), written by the first build of format 1. A later
  // build must still read it (or migrate it): this test keeps that promise checked.
  stdfs::create_directories(kStore);
  Result untar = execute({"/usr/bin/tar", "-xpf",
                          std::string(AGENTRT_SOURCE_DIR) + "/tests/data/workspace/store-format-1.tar", "-C",
                          kStore.string()});
  INFO(untar.all());
  REQUIRE(untar.code == 0);
  // The store names its host directory: point it at this test's.
  const stdfs::path record = store_dir("wsreview-fixture") / "workspace.json";
  json rec = json::parse(read_text(record));
  rec["mounts"][0]["source"] = f.host().string();
  write_text(record, rec.dump(2));

  Result diff = f.ws({"diff", "wsreview-fixture"});
  INFO(diff.all());
  CHECK(diff.code == 0);
  CHECK(diff.out ==
        "M /project/README\nD /project/gone.txt\nA /project/main-link -> src/main.c\nA /project/newdir/\nA "
        "/project/newdir/f\n"
        "D /project/olddir/\nA /project/src/new.c\n");
  // The added entries commit onto this host; the recorded baseline is of another host's files, so a
  // modification is a conflict here, as it should be.
  Result commit =
      f.ws({"commit", "wsreview-fixture", "/project/src/new.c", "/project/main-link", "/project/newdir"});
  INFO(commit.all());
  CHECK(commit.code == 0);
  CHECK(f.read("src/new.c") == "new\n");
  CHECK(f.read("newdir/f") == "in\n");
  CHECK(stdfs::read_symlink(f.host() / "main-link") == "src/main.c");
  CHECK(f.ws({"commit", "wsreview-fixture", "/project/README"}).code == 3);
  CHECK(f.read("edit.txt") == "original\n");

  // A store of a format this build does not know is refused by name, not misread.
  write_text(store_dir("wsreview-fixture") / "format", "agentrt-workspace 2\n");
  Result newer = f.ws({"diff", "wsreview-fixture"});
  CHECK(newer.code != 0);
  CHECK(contains(unescape_quotes(newer.err),
                 "/format says \"agentrt-workspace 2\", this agentrt reads \"agentrt-workspace 1\""));
  write_text(store_dir("wsreview-fixture") / "format", "agentrt-workspace 1\n");
  CHECK(f.ws({"discard", "wsreview-fixture"}).code == 0);
  CHECK_FALSE(stdfs::exists(store_dir("wsreview-fixture")));
}
