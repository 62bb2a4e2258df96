#include "workspace/diff_plan.hpp"

#include <catch2/catch.hpp>

using namespace agentrt::workspace;

namespace {

FileFacts file(uint64_t ino, uint64_t size = 1, unsigned mode = 0644) {
  return {Kind::file, mode, 0, 0, size, ino, 1000};
}
FileFacts dir(uint64_t ino, unsigned mode = 0755) {
  return {Kind::dir, mode, 0, 0, 0, ino, 0};
}

UpperEntry up(std::string path, FileFacts f, uint64_t nlink = 1) {
  UpperEntry e;
  e.path = std::move(path);
  e.facts = f;
  e.nlink = nlink;
  return e;
}
UpperEntry whiteout(std::string path) {
  UpperEntry e = up(std::move(path), {Kind::other, 0, 0, 0, 0, 99, 0});
  e.whiteout = true;
  return e;
}

std::string summary(const std::vector<Change>& cs) {
  std::string s;
  for (const auto& c : cs) s += std::string(to_string(c.type)).substr(0, 1) + ":" + c.path + " ";
  return s;
}

std::string summary(const CommitPlan& p) {
  std::string s;
  for (const auto& st : p.steps)
    s += std::string(to_string(st.op)) + ":" + st.path + (st.clear_first ? "!" : "") + " ";
  for (const auto& c : p.conflicts) s += "conflict:" + c.path + " ";
  return s;
}

// The host as a tree; `expected` accepts exactly the baseline.
struct Host {
  Tree now;
  Tree baseline;
  Expected expected() const {
    return [this](const std::string& p, const std::optional<FileFacts>& f) {
      auto it = baseline.find(p);
      return f == (it == baseline.end() ? std::nullopt : std::optional(it->second));
    };
  }
  HostLookup lookup() const {
    return [this](const std::string& p) {
      auto it = now.find(p);
      return it == now.end() ? std::nullopt : std::optional(it->second);
    };
  }
  HostScan scan() const {
    return [this](const std::string& p) {
      Tree t;
      for (const auto& [k, v] : now)
        if (is_under(k, p)) t[k] = v;
      return t;
    };
  }
  CommitPlan plan(const std::vector<Change>& cs) const {
    return plan_commit(cs, expected(), lookup(), scan());
  }
};

const Tree kBase = {{"", dir(1)},         {"a.txt", file(2)}, {"src", dir(3)},   {"src/x.c", file(4)},
                    {"src/y.c", file(5)}, {"old", dir(6)},    {"old/z", file(7)}};

}  // namespace

TEST_CASE("diff: added, modified, deleted, copied-up directories are no change", "[workspace][diff]") {
  std::vector<UpperEntry> upper = {up("", dir(100)),         up("a.txt", file(101, 5)), up("new", file(102)),
                                   up("src", dir(103)),      whiteout("src/y.c"),       whiteout("old"),
                                   whiteout("never-existed")};
  CHECK(summary(plan_diff(upper, kBase)) == "m:a.txt a:new d:old d:src/y.c ");
}

TEST_CASE("diff: a chmod of a lower directory is a change", "[workspace][diff]") {
  auto cs = plan_diff({up("", dir(100)), up("src", dir(103, 0700))}, kBase);
  REQUIRE(cs.size() == 1);
  CHECK(cs[0].type == ChangeType::modified);
  CHECK(cs[0].kind == Kind::dir);
  CHECK(cs[0].facts.mode == 0700);
}

TEST_CASE("diff: an opaque directory deletes what it hides, top-most only", "[workspace][diff]") {
  UpperEntry src = up("src", dir(103));
  src.opaque = true;
  Tree base = kBase;
  base["src/sub"] = dir(8);
  base["src/sub/deep"] = file(9);
  auto cs = plan_diff({up("", dir(100)), src, up("src/x.c", file(104))}, base);
  CHECK(summary(cs) == "m:src d:src/sub m:src/x.c d:src/y.c ");
  CHECK(cs[0].opaque);
}

TEST_CASE("diff: a file replaced by a directory is modified with the new kind", "[workspace][diff]") {
  auto cs = plan_diff({up("", dir(100)), up("a.txt", dir(101))}, kBase);
  REQUIRE(cs.size() == 1);
  CHECK(cs[0].type == ChangeType::modified);
  CHECK(cs[0].kind == Kind::dir);
}

TEST_CASE("select: by path prefix, components only", "[workspace][diff]") {
  std::vector<Change> cs = {{"src", ChangeType::added, Kind::dir, false, dir(1), 1, ""},
                            {"src/a", ChangeType::added, Kind::file, false, file(2), 1, ""},
                            {"srcx", ChangeType::added, Kind::file, false, file(3), 1, ""}};
  CHECK(summary(select_changes(cs, {"src"})) == "a:src a:src/a ");
  CHECK(select_changes(cs, {}).size() == 3);
  CHECK(select_changes(cs, {""}).size() == 3);
}

TEST_CASE("commit plan: unchanged host gets every step in order", "[workspace][commit]") {
  Host h{kBase, kBase};
  auto cs = plan_diff({up("", dir(100)), up("a.txt", file(101, 5)), up("d", dir(102)), up("d/f", file(103)),
                       whiteout("old"), up("src", dir(104)), whiteout("src/x.c")},
                      kBase);
  CommitPlan p = h.plan(cs);
  CHECK(summary(p) == "write:a.txt mkdir:d write:d/f remove:old! remove:src/x.c! ");
  CHECK(p.applied.size() == 5);
}

TEST_CASE("commit plan: a host file changed since create is a conflict and is not written",
          "[workspace][commit]") {
  Host h{kBase, kBase};
  h.now["a.txt"] = file(2, 77);  // same inode, other size: edited on the host
  h.now["n"] = file(50);         // appeared on the host where the agent also made one
  auto cs = plan_diff({up("", dir(100)), up("a.txt", file(101)), up("n", file(102)), up("src", dir(103)),
                       up("src/x.c", file(104))},
                      kBase);
  CommitPlan p = h.plan(cs);
  CHECK(summary(p) == "write:src/x.c conflict:a.txt conflict:n ");
  CHECK(p.applied == std::vector<std::string>{"src/x.c"});
}

TEST_CASE("commit plan: what is under a conflicted directory waits", "[workspace][commit]") {
  Host h{kBase, kBase};
  h.now["d"] = dir(60);  // the host made the directory the agent made
  auto cs = plan_diff({up("", dir(100)), up("d", dir(101)), up("d/f", file(102))}, kBase);
  CommitPlan p = h.plan(cs);
  CHECK(summary(p) == "conflict:d conflict:d/f ");
}

TEST_CASE("commit plan: deleting a directory the host added to is a conflict", "[workspace][commit]") {
  Host h{kBase, kBase};
  h.now["old/mine"] = file(70);
  CommitPlan p = h.plan(plan_diff({up("", dir(100)), whiteout("old")}, kBase));
  REQUIRE(p.conflicts.size() == 1);
  CHECK(p.conflicts[0].reason.find("old/mine") != std::string::npos);
  CHECK(p.steps.empty());
}

TEST_CASE("commit plan: a parent gone from the host is a conflict", "[workspace][commit]") {
  Host h{kBase, kBase};
  h.now.erase("src");
  h.now.erase("src/x.c");
  h.now.erase("src/y.c");
  CommitPlan p = h.plan(plan_diff({up("", dir(100)), up("src", dir(101)), up("src/n", file(102))}, kBase));
  CHECK(summary(p) == "conflict:src/n ");
}

TEST_CASE("commit plan: hard links in the upper layer link to the first path", "[workspace][commit]") {
  Host h{kBase, kBase};
  auto cs = plan_diff({up("", dir(100)), up("a.txt", file(101), 2), up("b", file(101), 2)}, kBase);
  CommitPlan p = h.plan(cs);
  CHECK(summary(p) == "write:a.txt link:b ");
  CHECK(p.steps[1].link == "a.txt");
}

TEST_CASE("commit plan: a type change clears the host path first", "[workspace][commit]") {
  Host h{kBase, kBase};
  CommitPlan p = h.plan(plan_diff({up("", dir(100)), up("a.txt", dir(101)), up("old", file(102))}, kBase));
  CHECK(summary(p) == "mkdir:a.txt! write:old! ");
}

TEST_CASE("commit plan: the journal of an interrupted commit is not a conflict", "[workspace][commit]") {
  Host h{kBase, kBase};
  h.now["a.txt"] = file(300, 5);  // what the first, killed run wrote and journaled
  Expected journaled = [&](const std::string& p, const std::optional<FileFacts>& f) {
    return h.expected()(p, f) || (p == "a.txt" && f == std::optional(file(300, 5)));
  };
  auto cs = plan_diff({up("", dir(100)), up("a.txt", file(101, 5))}, kBase);
  CHECK(summary(plan_commit(cs, journaled, h.lookup(), h.scan())) == "write:a.txt ");
  CHECK(summary(h.plan(cs)) == "conflict:a.txt ");
}
