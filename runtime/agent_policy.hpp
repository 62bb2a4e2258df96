#pragma once
// The agent policy lives in the seccomp module (pure, unit-tested with it); the runtime uses it from here:
//   auto choice = policy::choose_profile(spec, global_profile_flag);  // the annotation may only tighten
//   auto report = policy::apply_agent_policy(spec, choice.profile);  // store report.to_json() in the state
#include "seccomp/agent_policy.hpp"
