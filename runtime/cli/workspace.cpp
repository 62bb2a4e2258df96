// agentrt workspace list|diff|commit|discard: review what an agent changed in its workspace mounts.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <iostream>

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

// The container's status, or nullopt when it no longer exists (deleted: the store outlives it).
std::optional<oci::Status> container_status(const runtime::Context& ctx, const std::string& id) {
  if (!ctx.store.exists(id)) return std::nullopt;
  runtime::Container c = runtime::open_container(ctx.store, id);
  return runtime::container_status(ctx.store, c);
}

// The upper layer may change only while nothing writes to it through the overlay.
void require_quiet(const runtime::Context& ctx, const std::string& id, const char* what, bool paused_ok) {
  auto status = container_status(ctx, id);
  if (!status || *status == oci::Status::stopped) return;
  if (paused_ok && *status == oci::Status::paused) return;
  throw Error(std::string("workspace ") + what + " " + id + ": the container is " + oci::to_string(*status) +
              (paused_ok ? ": stop or pause it first" : ": stop it first"));
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

int do_list(const Store& store, const Args& args) {
  bool json = false;
  po::options_description d("workspace list");
  d.add_options()("json", po::bool_switch(&json), "JSON output");
  require_args(parse(args, d), "workspace list", 0);
  nlohmann::json out = nlohmann::json::array();
  for (const auto& id : store.list()) {
    Record rec = store.load(id);
    size_t count = 0;
    nlohmann::json mounts = nlohmann::json::array();
    for (const auto& mc : workspace_changes(store, rec)) {
      count += mc.changes.size();
      mounts.push_back({{"destination", mc.mount.destination},
                        {"source", mc.mount.source},
                        {"changes", mc.changes.size()}});
    }
    out.push_back({{"id", id}, {"created", rec.created}, {"changes", count}, {"mounts", mounts}});
  }
  if (json) {
    std::printf("%s\n", out.dump(2).c_str());
    return 0;
  }
  std::printf("%-24s %-8s %s\n", "ID", "CHANGES", "MOUNTS");
  for (const auto& w : out) {
    std::string mounts;
    for (const auto& m : w["mounts"])
      mounts += (mounts.empty() ? "" : ",") + m["destination"].get<std::string>() + "=" +
                m["source"].get<std::string>();
    std::printf("%-24s %-8zu %s\n", w["id"].get<std::string>().c_str(), w["changes"].get<size_t>(),
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

int do_commit(const runtime::Context& ctx, const Store& store, const Args& args) {
  po::options_description d("workspace commit");
  Parsed p = parse(args, d);
  require_min_args(p, "workspace commit", 1);
  const std::string id = p.positionals[0];
  Record rec = store.load(id);
  UniqueFd lock = lock_workspace(store, id);
  require_quiet(ctx, id, "commit", true);
  size_t applied = 0, conflicts = 0;
  for (const auto& [index, paths] : split_paths(rec, {p.positionals.begin() + 1, p.positionals.end()})) {
    const MountRecord& m = rec.mounts[index];
    CommitResult r = commit_mount(store, id, m, paths);
    applied += r.applied;
    conflicts += r.conflicts.size();
    for (const auto& c : r.conflicts)
      std::fprintf(stderr, "conflict: %s (%s): %s\n", container_path(m, c.path).c_str(),
                   fs::join(m.source, c.path).c_str(), c.reason.c_str());
  }
  std::printf("%zu change(s) committed, %zu conflict(s) left in the workspace\n", applied, conflicts);
  if (conflicts)
    throw CommandFailure(Error("workspace commit " + id + ": " + std::to_string(conflicts) +
                               " conflicting change(s) not applied"),
                         3);
  return 0;
}

int do_discard(const runtime::Context& ctx, const Store& store, const Args& args) {
  po::options_description d("workspace discard");
  Parsed p = parse(args, d);
  require_min_args(p, "workspace discard", 1);
  const std::string id = p.positionals[0];
  Record rec = store.load(id);
  UniqueFd lock = lock_workspace(store, id);
  require_quiet(ctx, id, "discard", false);
  size_t dropped = 0;
  for (const auto& [index, paths] : split_paths(rec, {p.positionals.begin() + 1, p.positionals.end()}))
    dropped += discard_mount(store, id, rec.mounts[index], paths);
  size_t left = 0;
  for (const auto& mc : workspace_changes(store, rec)) left += mc.changes.size();
  // A workspace with nothing left goes, unless a container still has its overlay mounted.
  bool removed = left == 0 && !container_status(ctx, id).has_value();
  if (removed) store.remove(id);
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
