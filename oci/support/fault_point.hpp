#pragma once
// Test hook for fault-injection tests: `AGENTRT_FAULT_POINT=<name>` in the environment makes the process
// SIGKILL itself when it reaches the fault point of that name, so a test can stop the runtime at an exact
// step (between making a cgroup and saving the state, while a container is frozen for a kill ...) and then
// check that `delete -f` and a new `create` clean up. Harmless in production: whoever sets a process's
// environment can kill it anyway, and without the variable each point costs one getenv.
//
// Points: create:intent-saved, create:cgroup-made, create:init-cloned, create:init-ready, create:committed,
// delete:marked, cgroup-kill:frozen (v1 kill of a whole cgroup, while frozen), workspace:commit-journaled and
// workspace:commit-renamed (the first file of a workspace commit, before and after it shows on the host).
namespace agentrt {

void fault_point(const char* name);

}  // namespace agentrt
