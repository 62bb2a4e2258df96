#include "runtime/id_maps.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "oci/support/error.hpp"
#include "oci/support/fs.hpp"
#include "oci/support/unique_fd.hpp"

extern char** environ;

namespace agentrt::runtime {
namespace {

bool maps_only(const std::vector<oci::IdMapping>& maps, uint32_t own_id) {
  return maps.size() == 1 && maps[0].size == 1 && maps[0].host_id == own_id;
}

std::string join_words(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : " ") + w;
  return out;
}

// Runs the tool; when it fails, throws with its exit status and what it wrote on stderr. Written
// here rather than with run_hook because the tool's message must end up in the error, not on our stderr.
void run_map_tool(const std::string& tool, const std::vector<std::string>& args) {
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) < 0) throw sys_error("pipe for " + tool);
  UniqueFd read_end(pipe_fds[0]), write_end(pipe_fds[1]);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, write_end.get(), 2);
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(tool.c_str()));
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = -1;
  int rc = ::posix_spawnp(&pid, tool.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  write_end.reset();
  if (rc == ENOENT)
    throw Error(
        tool + " not found in PATH: install the uidmap package (needed to map more than the caller's own id)",
        rc);
  if (rc != 0) throw sys_error("run " + tool, rc);
  std::string message;
  char buf[512];
  ssize_t n;
  while ((n = ::read(read_end.get(), buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
    if (n > 0) message.append(buf, static_cast<size_t>(n));
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return;
  std::string how = WIFEXITED(status) ? "exit status " + std::to_string(WEXITSTATUS(status))
                                      : "killed by signal " + std::to_string(WTERMSIG(status));
  throw Error(tool + " " + join_words(args) + ": " + how + (message.empty() ? "" : ": " + fs::trim(message)));
}

void write_map(pid_t pid, const char* file, const char* tool, const std::vector<oci::IdMapping>& maps,
               MapMethod method) {
  if (method == MapMethod::tool) {
    std::vector<std::string> args = id_map_tool_args(maps);
    args.insert(args.begin(), std::to_string(pid));
    run_map_tool(tool, args);
    return;
  }
  std::string path = "/proc/" + std::to_string(pid) + "/" + file;
  fs::write_existing(path, id_map_text(maps));
}

}  // namespace

IdMapPlan plan_id_maps(const Rootless& r, const oci::Linux& linux) {
  IdMapPlan plan;
  if (r.euid == 0) return plan;  // root of our own namespace may write any map of ids mapped in it
  plan.uid = maps_only(linux.uid_mappings, r.euid) ? MapMethod::direct : MapMethod::tool;
  plan.gid = maps_only(linux.gid_mappings, r.egid) ? MapMethod::direct : MapMethod::tool;
  plan.deny_setgroups = plan.gid == MapMethod::direct;
  return plan;
}

std::string id_map_text(const std::vector<oci::IdMapping>& maps) {
  std::string text;
  for (const auto& m : maps)
    text += std::to_string(m.container_id) + " " + std::to_string(m.host_id) + " " + std::to_string(m.size) +
            "\n";
  return text;
}

std::vector<std::string> id_map_tool_args(const std::vector<oci::IdMapping>& maps) {
  std::vector<std::string> args;
  for (const auto& m : maps) {
    args.push_back(std::to_string(m.container_id));
    args.push_back(std::to_string(m.host_id));
    args.push_back(std::to_string(m.size));
  }
  return args;
}

void write_id_maps(pid_t pid, const oci::Linux& linux, const IdMapPlan& plan) {
  try {
    write_map(pid, "uid_map", "newuidmap", linux.uid_mappings, plan.uid);
  } catch (const Error& e) {
    throw e.wrap("linux.uidMappings");
  }
  try {
    if (plan.deny_setgroups) fs::write_existing("/proc/" + std::to_string(pid) + "/setgroups", "deny");
  } catch (const Error& e) {
    throw e.wrap("linux.gidMappings: setgroups=deny (needed before an unprivileged gid_map)");
  }
  try {
    write_map(pid, "gid_map", "newgidmap", linux.gid_mappings, plan.gid);
  } catch (const Error& e) {
    throw e.wrap("linux.gidMappings");
  }
}

}  // namespace agentrt::runtime
