#pragma once
// OCI lifecycle hooks: each hook is spawned with the container state JSON on its stdin and must exit 0 within
// its timeout. Only fds 0, 1 and 2 reach a hook; stdout and stderr are the runtime's own.
#include <string>
#include <vector>

#include "oci/spec.hpp"
#include "runtime/log.hpp"

namespace agentrt::runtime {

// Runs one hook and waits for it; SIGKILLs it after hook.timeout seconds. Throws agentrt::Error naming the
// kind and path on spawn failure, non-zero exit, death by signal or timeout ("prestart hook /usr/bin/foo:
// exit status 1"). An empty hook.args runs the hook with argv = {path}; hook.env is the hook's whole
// environment.
void run_hook(const oci::Hook& h, const std::string& state_json, const char* kind);

// Runs hooks in order. fail_fast (createRuntime, createContainer, prestart, startContainer): the first
// failure is thrown and later hooks do not run. Otherwise (poststart, poststop): failures are logged as
// warnings and the remaining hooks still run.
void run_hooks(const std::vector<oci::Hook>& hooks, const std::string& state_json, const char* kind,
               bool fail_fast, const Logger& log);

}  // namespace agentrt::runtime
