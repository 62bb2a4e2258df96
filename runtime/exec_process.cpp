#include <nlohmann/json.hpp>

#include "oci/parse.hpp"
#include "oci/support/error.hpp"
#include "oci/support/fs.hpp"
#include "runtime/exec.hpp"

namespace agentrt::runtime {
namespace {

uint32_t parse_id(const std::string& s, const char* what) {
  try {
    size_t used = 0;
    unsigned long v = std::stoul(s, &used);
    if (used != s.size() || v > UINT32_MAX) throw std::invalid_argument(s);
    return static_cast<uint32_t>(v);
  } catch (const std::exception&) {
    throw Error(std::string("--user: invalid ") + what + " " + s);
  }
}

void set_env(std::vector<std::string>& env, const std::string& kv) {
  size_t eq = kv.find('=');
  if (eq == std::string::npos || eq == 0) throw Error("--env: expected KEY=VALUE, got " + kv);
  std::string key = kv.substr(0, eq + 1);
  for (auto& e : env) {
    if (e.compare(0, key.size(), key) == 0) {
      e = kv;
      return;
    }
  }
  env.push_back(kv);
}

void add_cap(std::vector<int>& set, int cap) {
  for (int c : set)
    if (c == cap) return;
  set.push_back(cap);
}

}  // namespace

oci::Process exec_process(const oci::Process& base, const ExecOptions& opts) {
  if (!opts.process_file.empty()) {
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(fs::read_file(opts.process_file));
    } catch (const nlohmann::json::exception& e) {
      throw Error("--process " + opts.process_file + ": " + e.what());
    } catch (const Error& e) {
      throw e.wrap("--process");
    }
    return oci::parse_process(j, "process");
  }
  if (opts.args.empty()) throw Error("exec: no command given (use --process or a command line)");
  oci::Process p = base;
  p.args = opts.args;
  p.terminal = opts.tty;
  p.console_size.reset();
  for (const auto& kv : opts.env) set_env(p.env, kv);
  if (!opts.cwd.empty()) {
    if (opts.cwd[0] != '/') throw Error("--cwd: must be an absolute path, got " + opts.cwd);
    p.cwd = opts.cwd;
  }
  if (!opts.user.empty()) {
    size_t colon = opts.user.find(':');
    p.user.uid = parse_id(opts.user.substr(0, colon), "uid");
    if (colon != std::string::npos) p.user.gid = parse_id(opts.user.substr(colon + 1), "gid");
  }
  if (!opts.additional_gids.empty()) p.user.additional_gids = opts.additional_gids;
  if (opts.no_new_privs) p.no_new_privileges = true;
  if (!opts.caps.empty()) {
    if (!p.capabilities) p.capabilities = oci::Capabilities{};
    for (const auto& name : opts.caps) {
      auto cap = oci::capability_from_name(name);
      if (!cap) throw Error("--cap: unknown capability \"" + name + "\"");
      for (auto* set : {&p.capabilities->bounding, &p.capabilities->effective, &p.capabilities->permitted,
                        &p.capabilities->inheritable, &p.capabilities->ambient})
        add_cap(*set, *cap);
    }
  }
  return p;
}

}  // namespace agentrt::runtime
