#pragma once
// The audit supervisor: a minimal mode of the agentrt binary (main() runs it before any command parsing).
// It answers the seccomp notifications of the container's audited floor with the floor's errno, appends
// one record per notification to the audit log, and exits when no process uses the filter any more (the
// listener reports POLLHUP once the last one is gone). Its loop allocates nothing.
namespace agentrt::audit {

constexpr const char* kSupervisorMode = "__audit-supervisor";

// argv: agentrt __audit-supervisor <listener fd> <log fd> <ready fd> <calls (call_table.hpp)> <container id>
// (the id only names the container in ps).
// Writes "ok <pid>" to the ready fd once set up (or the reason it cannot start), then closes it.
int supervisor_main(int argc, char** argv);

}  // namespace agentrt::audit
