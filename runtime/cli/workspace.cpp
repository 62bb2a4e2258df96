// agentrt workspace list|diff|commit|discard: review what an agent changed in its workspace mounts.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <iostream>
#include <iterator>

#include "oci/support/fs.hpp"
#include "runtime/cli/command.hpp"
#include "runtime/status.hpp"
#include "workspace/commit.hpp"
#include "workspace/review.hpp"
#include "workspace/settings.hpp"

namespace agentrt::cli {
namespace {

using namespace agentrt::workspace;

const char* kUsage =
    "usage: agentrt workspace list [--json]\n"
    "       agentrt workspace diff <id> [--json] [--patch] [PATH...]\n"
    "       agentrt workspace commit <id> [PATH...]\n"
    "       agentrt workspace discard <id> [PATH...]";

// The container's status, or nullopt when it no longer exists (deleted: the store outlives it). Asked in the
// state directory the container was created in when the store recorded it.
std::optional<oci::Status> container_status(const runtime::Context& ctx, const Record& rec) {
  runtime::StateStore states(rec.state_root.empty() ? ctx.store.root() : rec.state_root);
  if (!states.exists(rec.id)) return std::nullopt;
  runtime::Container c = runtime::open_container(states, rec.id);
  return runtime::container_status(states, c);
}

// overlayfs leaves changes to its layers while it is mounted undefined, and a paused container still has its
// overlay mounted (its dentry cache keeps the old upper and lower entries, and the agent resumes on them). So
// the layers change only once no container holds the overlay: stopped, or deleted.
void require_unmounted(const runtime::Context& ctx, const Record& rec, const std::string& what) {
  auto status = container_status(ctx, rec);
  if (!status || *status == oci::Status::stopped) return;
  throw Error(
      "workspace " + what + " " + rec.id + ": the container is " + oci::to_string(*status) +
      ": stop it first (its overlay is mounted while it runs or is paused, and overlayfs leaves changes "
      "to the layers of a mounted overlay undefined)");
}

char change_letter(ChangeType t) {
  return t == ChangeType::added ? 'A' : t == ChangeType::deleted ? 'D' : 'M';
}

// `diff -u` of the host file against the container's version (a tool does this better than we would).
void print_patch(const MountChanges& mc, const Change& c, const std::string& upper) {
  if (c.kind != Kind::file) return;
  std::string host = fs::join(mc.mount.source, c.path);
  std::string mine = c.type == ChangeType::deleted ? "/dev/null" : upper + "/" + c.path;
  std::string before = c.type == ChangeType::added ? "/dev/null" : host;
  std::string label = container_path(mc.mount, c.path);
  std::fflush(stdout);
  pid_t pid = ::fork();
  if (pid < 0) throw sys_error("fork diff");
  if (pid == 0) {
    ::execlp("diff", "diff", "-u", "--label", ("a" + label).c_str(), "--label", ("b" + label).c_str(),
             before.c_str(), mine.c_str(), static_cast<char*>(nullptr));
    std::fprintf(stderr, "exec diff: %s\n", std::strerror(errno));
    ::_exit(127);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  // diff exits 1 when the files differ: only 2 and up are failures.
  if (!WIFEXITED(status) || WEXITSTATUS(status) > 1)
    throw Error("diff -u " + before + " " + mine + " failed");
}

// 1536 -> "1.5KiB".
std::string human_size(uint64_t bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(bytes);
  size_t u = 0;
  while (v >= 1024 && u + 1 < std::size(units)) v /= 1024, ++u;
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f%s" : "%.1f%s", v, units[u]);
  return buf;
}

int do_list(const Store& store, const Args& args) {
  bool json = false;
  po::options_description d("workspace list");
  d.add_options()("json", po::bool_switch(&json), "JSON output");
  require_args(parse(args, d), "workspace list", 0);
  nlohmann::json out = nlohmann::json::array();
  for (const auto& id : store.list()) {
    Record rec = store.load(id);
    size_t count = 0;
    uint64_t bytes = 0;  // what the added and modified files hold (the store's share of the disk)
    nlohmann::json mounts = nlohmann::json::array();
    for (const auto& mc : workspace_changes(store, rec)) {
      count += mc.changes.size();
      for (const auto& c : mc.changes)
        if (c.type != ChangeType::deleted && c.kind == Kind::file) bytes += c.facts.size;
      mounts.push_back({{"destination", mc.mount.destination},
                        {"source", mc.mount.source},
                        {"changes", mc.changes.size()}});
    }
    out.push_back(
        {{"id", id}, {"created", rec.created}, {"changes", count}, {"size", bytes}, {"mounts", mounts}});
  }
  if (json) {
    std::printf("%s\n", out.dump(2).c_str());
    return 0;
  }
  std::printf("%-24s %-8s %-10s %-20s %s\n", "ID", "CHANGES", "SIZE", "CREATED", "MOUNTS");
  for (const auto& w : out) {
    std::string mounts;
    for (const auto& m : w["mounts"])
      mounts += (mounts.empty() ? "" : ",") + m["destination"].get<std::string>() + "=" +
                m["source"].get<std::string>();
    std::string created = w["created"].get<std::string>().substr(0, 19);  // to the second
    std::printf("%-24s %-8zu %-10s %-20s %s\n", w["id"].get<std::string>().c_str(),
                w["changes"].get<size_t>(), human_size(w["size"].get<uint64_t>()).c_str(), created.c_str(),
                mounts.c_str());
  }
  return 0;
}

int do_diff(const Store& store, const Args& args) {
  bool json = false, patch = false;
  po::options_description d("workspace diff");
  d.add_options()("json", po::bool_switch(&json), "JSON output")("patch", po::bool_switch(&patch),
                                                                 "unified diff of changed files");
  Parsed p = parse(args, d);
  require_min_args(p, "workspace diff", 1);
  Record rec = store.load(p.positionals[0]);
  auto selection = split_paths(rec, {p.positionals.begin() + 1, p.positionals.end()});
  std::vector<MountChanges> all;
  for (auto& mc : workspace_changes(store, rec))
    for (const auto& [index, paths] : selection)
      if (rec.mounts[index].dir == mc.mount.dir) all.push_back({mc.mount, select_changes(mc.changes, paths)});
  if (json) {
    std::printf("%s\n", changes_json(all).dump(2).c_str());
    return 0;
  }
  for (const auto& mc : all)
    for (const auto& c : mc.changes) {
      if (patch) {
        print_patch(mc, c, store.upper(rec.id, mc.mount));
        if (c.kind == Kind::file) continue;
      }
      std::printf("%c %s%s\n", change_letter(c.type), container_path(mc.mount, c.path).c_str(),
                  c.kind == Kind::dir       ? "/"
                  : c.kind == Kind::symlink ? (" -> " + c.link_target).c_str()
                                            : "");
    }
  return 0;
}

// What commit and discard share: the workspace of a container that no longer has it mounted, locked against
// another commit or discard, and the paths asked for per mount.
struct Selected {
  Record rec;
  UniqueFd lock;
  std::map<size_t, std::vector<std::string>> paths;  // by index in rec.mounts
};

Selected select_for_change(const runtime::Context& ctx, const Store& store, const Args& args,
                           const std::string& what) {
  po::options_description d("workspace " + what);
  Parsed p = parse(args, d);
  const std::string cmd = "workspace " + what;
  require_min_args(p, cmd.c_str(), 1);
  Selected s{store.load(p.positionals[0]), {}, {}};
  s.lock = lock_workspace(store, s.rec.id);
  require_unmounted(ctx, s.rec, what);
  s.paths = split_paths(s.rec, {p.positionals.begin() + 1, p.positionals.end()});
  return s;
}

int do_commit(const runtime::Context& ctx, const Store& store, const Args& args) {
  Selected s = select_for_change(ctx, store, args, "commit");
  store.release_reserve(s.rec.id);
  size_t applied = 0, conflicts = 0;
  for (const auto& [index, paths] : s.paths) {
    const MountRecord& m = s.rec.mounts[index];
    CommitResult r = commit_mount(store, s.rec.id, m, paths);
    applied += r.applied;
    conflicts += r.conflicts.size();
    for (const auto& c : r.conflicts)
      std::fprintf(stderr, "conflict: %s (%s): %s\n", container_path(m, c.path).c_str(),
                   fs::join(m.source, c.path).c_str(), c.reason.c_str());
  }
  if (!store.try_make_reserve(s.rec.id))
    std::fprintf(stderr, "warning: workspace %s: no room to set space aside for the next commit in %s\n",
                 s.rec.id.c_str(), store.dir(s.rec.id).c_str());
  std::printf("%zu change(s) committed, %zu conflict(s) left in the workspace\n", applied, conflicts);
  if (conflicts)
    throw CommandFailure(Error("workspace commit " + s.rec.id + ": " + std::to_string(conflicts) +
                               " conflicting change(s) not applied"),
                         3);
  return 0;
}

int do_discard(const runtime::Context& ctx, const Store& store, const Args& args) {
  Selected s = select_for_change(ctx, store, args, "discard");
  size_t dropped = 0;
  for (const auto& [index, paths] : s.paths)
    dropped += discard_mount(store, s.rec.id, s.rec.mounts[index], paths);
  size_t left = 0;
  for (const auto& mc : workspace_changes(store, s.rec)) left += mc.changes.size();
  // A workspace with nothing left goes once its container is deleted too.
  bool removed = left == 0 && !container_status(ctx, s.rec).has_value();
  if (removed) store.remove(s.rec.id);
  std::printf("%zu change(s) discarded, %zu left%s\n", dropped, left, removed ? ", workspace removed" : "");
  return 0;
}

}  // namespace

int cmd_workspace(const runtime::Context& ctx, const Args& args) {
  if (args.empty()) throw Error(std::string("workspace: a subcommand is required\n") + kUsage);
  Store store(store_root(ctx.workspace_store));
  const std::string& sub = args[0];
  Args rest(args.begin() + 1, args.end());
  if (sub == "list") return do_list(store, rest);
  if (sub == "diff") return do_diff(store, rest);
  if (sub == "commit") return do_commit(ctx, store, rest);
  if (sub == "discard") return do_discard(ctx, store, rest);
  throw Error("workspace: unknown subcommand \"" + sub + "\"\n" + kUsage);
}

}  // namespace agentrt::cli
