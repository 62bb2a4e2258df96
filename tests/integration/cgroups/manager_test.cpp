#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <csignal>

#include "cgroups/paths.hpp"
#include "fixture.hpp"

using namespace cgtest;
using agentrt::fs::exists;
using agentrt::fs::join;

namespace {

bool in_cgroup(pid_t pid, const std::string& path) {
  auto text = agentrt::fs::read_file("/proc/" + std::to_string(pid) + "/cgroup");
  auto m = agentrt::cgroups::parse_proc_cgroup(text);
  for (const auto& [ctrl, p] : m)
    if ((ctrl == "memory" || ctrl == "") && p == path) return true;
  return false;
}

}  // namespace

TEST_CASE("create makes the directories, add_process moves the child, destroy removes them") {
  std::string top;
  std::vector<std::string> dirs;
  {
    TestCgroup cg;
    top = cg.top();
    CHECK(cg->path() == top + "/c");
    dirs.push_back(dir_of(*cg, is_v2(*cg) ? "" : "memory"));
    if (!is_v2(*cg))
      for (const char* c : {"cpu", "cpuset", "pids", "devices", "freezer", "blkio"})
        dirs.push_back(dir_of(*cg, c));
    for (const auto& d : dirs) {
      INFO(d);
      CHECK(exists(d));
    }
    auto child = sleeper();
    cg->add_process(child->pid());
    CHECK(in_cgroup(child->pid(), top + "/c"));
    auto pids = cg->pids();
    REQUIRE(pids.size() == 1);
    CHECK(pids[0] == child->pid());
    if (cg->layout() == agentrt::cgroups::Layout::hybrid) {
      // placed in the cgroup2 hierarchy too, as runc does on hybrid hosts
      auto procs = read_trim("/sys/fs/cgroup/unified" + top + "/c/cgroup.procs");
      CHECK(procs == std::to_string(child->pid()));
    }
    cg->kill_all(SIGKILL);
    int status = child->wait();
    CHECK(WIFSIGNALED(status));
    CHECK(cg->pids().empty());
    cg->destroy();
    for (const auto& d : dirs) {
      INFO(d);
      CHECK_FALSE(exists(d));
      CHECK_FALSE(exists(d.substr(0, d.rfind('/'))));  // the top directory it made too
    }
    cg->destroy();  // idempotent
  }
}

TEST_CASE("destroy keeps directories it did not create") {
  TestCgroup outer("c");
  TestCgroup inner("c/inner", outer.top());
  std::string inner_dir = dir_of(*inner, is_v2(*inner) ? "" : "memory");
  std::string outer_dir = dir_of(*outer, is_v2(*outer) ? "" : "memory");
  CHECK(exists(inner_dir));
  inner->destroy();
  CHECK_FALSE(exists(inner_dir));
  CHECK(exists(outer_dir));
}

TEST_CASE("save and load_manager reopen the same cgroup") {
  TestCgroup cg;
  auto child = sleeper();
  cg->add_process(child->pid());
  auto saved = cg->save();
  auto reopened = agentrt::cgroups::load_manager(nlohmann::json::parse(saved.dump()));
  CHECK(reopened->path() == cg->path());
  CHECK(reopened->layout() == cg->layout());
  CHECK(reopened->pids() == std::vector<pid_t>{child->pid()});
  reopened->kill_all(SIGKILL);
  child->wait();
  std::string d = dir_of(*cg, is_v2(*cg) ? "" : "memory");
  reopened->destroy();  // the reopened manager knows what the first one created
  CHECK_FALSE(exists(d));
  CHECK_FALSE(exists(d.substr(0, d.rfind('/'))));
}

TEST_CASE("--systemd-cgroup without systemd is refused before any cgroup is made") {
  if (agentrt::fs::exists("/run/systemd/system")) {
    WARN("not run: systemd runs on this host (the guest test tests/v2vm/run_systemd.sh covers that case)");
    return;
  }
  std::string id = "t" + std::to_string(::getpid());
  REQUIRE_THROWS_WITH(
      agentrt::cgroups::create_manager({id, "agentrttest-x.slice:agentrt:" + id, true}),
      Catch::Contains("systemd not running on this host, cannot use systemd cgroups manager"));
  auto mounts = agentrt::cgroups::read_mount_table();
  for (const auto& h : mounts.v1) CHECK_FALSE(exists(join(h.mountpoint, "agentrttest.slice")));
  if (!mounts.unified.empty()) CHECK_FALSE(exists(join(mounts.unified, "agentrttest.slice")));
}

TEST_CASE("apply writes the values, read back from the cgroup files") {
  TestCgroup cg;
  auto child = sleeper();
  cg->add_process(child->pid());
  agentrt::oci::Resources r;
  r.memory.emplace();
  r.memory->limit = 64 << 20;
  r.memory->kernel = 1 << 20;
  r.cpu.emplace();
  r.cpu->shares = 512;
  r.cpu->quota = 50000;
  r.cpu->period = 100000;
  r.pids = agentrt::oci::PidsResources{32};
  cg->apply(r);
  auto w = cg->warnings();
  REQUIRE(w.size() == 1);
  CHECK_THAT(w[0], Catch::Contains("memory.kernel"));
  if (is_v2(*cg)) {
    std::string d = dir_of(*cg, "");
    CHECK(read_trim(join(d, "memory.max")) == std::to_string(64 << 20));
    CHECK(read_trim(join(d, "cpu.weight")) == "59");
    CHECK(read_trim(join(d, "cpu.max")) == "50000 100000");
    CHECK(read_trim(join(d, "pids.max")) == "32");
  } else {
    CHECK(read_trim(join(dir_of(*cg, "memory"), "memory.limit_in_bytes")) == std::to_string(64 << 20));
    CHECK(read_trim(join(dir_of(*cg, "cpu"), "cpu.shares")) == "512");
    CHECK(read_trim(join(dir_of(*cg, "cpu"), "cpu.cfs_quota_us")) == "50000");
    CHECK(read_trim(join(dir_of(*cg, "cpu"), "cpu.cfs_period_us")) == "100000");
    CHECK(read_trim(join(dir_of(*cg, "pids"), "pids.max")) == "32");
  }

  SECTION("a partial update changes only what it names") {
    agentrt::oci::Resources u;
    u.pids = agentrt::oci::PidsResources{8};
    cg->apply(u);
    std::string pd = is_v2(*cg) ? dir_of(*cg, "") : dir_of(*cg, "pids");
    std::string md = is_v2(*cg) ? dir_of(*cg, "") : dir_of(*cg, "memory");
    CHECK(read_trim(join(pd, "pids.max")) == "8");
    CHECK(read_trim(join(md, is_v2(*cg) ? "memory.max" : "memory.limit_in_bytes")) ==
          std::to_string(64 << 20));
    CHECK(cg->warnings().empty());
  }
  SECTION("lowering memory with swap in the same update (order-sensitive pair)") {
    agentrt::oci::Resources u;
    u.memory.emplace();
    u.memory->limit = 32 << 20;
    u.memory->swap = 48 << 20;
    cg->apply(u);
    u.memory->limit = 128 << 20;
    u.memory->swap = 256 << 20;
    cg->apply(u);
    if (is_v2(*cg)) {
      CHECK(read_trim(join(dir_of(*cg, ""), "memory.max")) == std::to_string(128 << 20));
      if (exists(join(dir_of(*cg, ""), "memory.swap.max")))
        CHECK(read_trim(join(dir_of(*cg, ""), "memory.swap.max")) == std::to_string(128 << 20));
    } else {
      CHECK(read_trim(join(dir_of(*cg, "memory"), "memory.limit_in_bytes")) == std::to_string(128 << 20));
      CHECK(read_trim(join(dir_of(*cg, "memory"), "memory.memsw.limit_in_bytes")) ==
            std::to_string(256 << 20));
    }
  }
}

TEST_CASE("a value the kernel rejects is an error naming the resource and the file") {
  TestCgroup cg;
  agentrt::oci::Resources r;
  r.cpu.emplace();
  r.cpu->cpus = "999";
  std::string file = join(dir_of(*cg, is_v2(*cg) ? "" : "cpuset"), "cpuset.cpus");
  try {
    cg->apply(r);
    FAIL("cpuset.cpus=999 was accepted");
  } catch (const agentrt::Error& e) {
    std::string msg = e.what();
    CHECK_THAT(msg, Catch::StartsWith("linux.resources.cpu.cpus: write " + file + ": "));
    CHECK(e.error_number() != 0);
  }
}

TEST_CASE("a controller that is not there is named") {
  TestCgroup cg;
  agentrt::oci::Resources r;
  r.network = agentrt::oci::NetworkResources{7, {}};
  CHECK_THROWS_WITH(cg->apply(r), Catch::Contains("linux.resources.network"));
  if (!is_v2(*cg) && !exists("/sys/fs/cgroup/net_cls"))
    CHECK_THROWS_WITH(cg->apply(r), Catch::Contains("net_cls is not available"));
}

TEST_CASE("destroy removes sub-cgroups made inside the container") {
  TestCgroup cg;
  std::string d = dir_of(*cg, is_v2(*cg) ? "" : "memory");
  REQUIRE(::mkdir((d + "/nested").c_str(), 0755) == 0);
  REQUIRE(::mkdir((d + "/nested/deeper").c_str(), 0755) == 0);
  cg->destroy();
  CHECK_FALSE(exists(d));
}

TEST_CASE("a parent created by one container stays while another uses it") {
  TestCgroup ma("a");            // creates top and top/a
  TestCgroup mb("b", ma.top());  // creates top/b only
  std::string top_dir = dir_of(*ma, is_v2(*ma) ? "" : "memory");
  top_dir = top_dir.substr(0, top_dir.rfind('/'));
  ma->destroy();
  CHECK(exists(top_dir));
  CHECK(exists(top_dir + "/b"));
  CHECK_FALSE(exists(top_dir + "/a"));
  mb->destroy();
  CHECK_FALSE(exists(top_dir + "/b"));
  CHECK(exists(top_dir));
  ma->destroy();  // again, now that top is empty: destroy is idempotent and finishes the job
  CHECK_FALSE(exists(top_dir));
}

TEST_CASE("relative and default cgroupsPath nest under the caller's own cgroup (v2: under its parent)") {
  // Resolution only: nothing is created under the caller's cgroup (it belongs to the host).
  auto own = agentrt::cgroups::read_own_cgroups();
  agentrt::cgroups::Config rel{"ctr", "sub/ctr", false};
  auto m = agentrt::cgroups::create_manager(rel);
  std::string key = is_v2(*m) ? "" : "memory";
  std::string base = own.at(key) == "/" ? "" : own.at(key);
  // On v2 runc nests under the parent of its own cgroup, which holds processes (no-internal-processes rule).
  if (is_v2(*m))
    base = base.substr(0, base.find_last_of('/') == std::string::npos ? 0 : base.find_last_of('/'));
  CHECK(m->path() == base + "/sub/ctr");
  agentrt::cgroups::Config def{"ctr2", "", false};
  CHECK(agentrt::cgroups::create_manager(def)->path() == base + "/ctr2");
}

TEST_CASE("layout-specific settings: unified map, swappiness, OOM killer, hugetlb") {
  TestCgroup cg;
  agentrt::oci::Resources u;
  u.unified["memory.high"] = std::to_string(100 << 20);
  agentrt::oci::Resources v1only;
  v1only.memory.emplace();
  v1only.memory->swappiness = 10;
  v1only.memory->disable_oom_killer = true;
  agentrt::oci::Resources huge;
  huge.hugepage_limits.push_back({"2MB", 4 << 20});
  if (is_v2(*cg)) {
    cg->apply(u);
    CHECK(read_trim(join(dir_of(*cg, ""), "memory.high")) == std::to_string(100 << 20));
    cg->apply(v1only);
    CHECK(cg->warnings().size() == 2);
    if (exists(join(dir_of(*cg, ""), "hugetlb.2MB.max"))) {
      cg->apply(huge);
      CHECK(read_trim(join(dir_of(*cg, ""), "hugetlb.2MB.max")) == std::to_string(4 << 20));
    }
  } else {
    CHECK_THROWS_WITH(cg->apply(u), Catch::Contains("linux.resources.unified"));
    cg->apply(v1only);
    std::string md = dir_of(*cg, "memory");
    CHECK(read_trim(join(md, "memory.swappiness")) == "10");
    CHECK_THAT(agentrt::fs::read_file(join(md, "memory.oom_control")), Catch::Contains("oom_kill_disable 1"));
    if (dir_of(*cg, "hugetlb").empty())
      CHECK_THROWS_WITH(cg->apply(huge), Catch::Contains("linux.resources.hugepageLimits[0]") &&
                                             Catch::Contains("hugetlb is not available"));
    else {
      cg->apply(huge);
      CHECK(read_trim(join(dir_of(*cg, "hugetlb"), "hugetlb.2MB.limit_in_bytes")) == std::to_string(4 << 20));
    }
  }
}

TEST_CASE("reserve refuses a cgroup that holds processes, in it or below it, and the hierarchy's root") {
  TestCgroup occupied;
  auto child = sleeper();
  occupied->add_process(child->pid());
  using Catch::Matchers::Contains;
  auto refused = [](const std::string& path) {
    agentrt::cgroups::Config cfg;
    cfg.id = "agentrt-test";
    cfg.cgroups_path = path;
    auto m = agentrt::cgroups::create_manager(cfg);
    m->reserve();
  };
  std::string holds = "already holds 1 process (" + std::to_string(child->pid()) + " ";
  CHECK_THROWS_WITH(refused(occupied.top() + "/c"), Contains(holds));
  CHECK_THROWS_WITH(refused(occupied.top()), Contains(holds));  // the process is in a sub-cgroup
  CHECK_THROWS_WITH(refused("/"), Contains("is the root of the hierarchy"));
  CHECK(occupied->pids() == std::vector<pid_t>{child->pid()});
}

TEST_CASE("reserve names the directories create will make, before making any") {
  agentrt::cgroups::Config cfg;
  cfg.id = "agentrt-test";
  cfg.cgroups_path = unique_top() + "/c";
  auto m = agentrt::cgroups::create_manager(cfg);
  m->reserve();
  std::string dir = dir_of(*m, is_v2(*m) ? "" : "memory");
  CHECK_FALSE(exists(dir));
  // A create killed here leaves this record: reopened from it, destroy is fine with nothing made.
  auto intent = agentrt::cgroups::load_manager(m->save());
  CHECK(m->save().dump().find("\"" + dir + "\"") != std::string::npos);
  intent->destroy();
  m->create();
  CHECK(exists(dir));
  // ... and with everything made, the record of the intent removes it all.
  intent->destroy();
  CHECK_FALSE(exists(dir));
  CHECK_FALSE(exists(dir.substr(0, dir.rfind('/'))));
}
