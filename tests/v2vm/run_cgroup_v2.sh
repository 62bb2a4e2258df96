#!/bin/bash
# Runs the cgroup integration tests (integration_cgroups) on a pure cgroup v2 host: inside the nested
# kernel of tests/v2vm/v2vm.sh. Exits with the test binary's status.
#   tests/v2vm/run_cgroup_v2.sh [BUILD_DIR] [catch2 args...]
# BUILD_DIR defaults to $AGENTRT_BUILD_DIR or <repo>/build. The test keeps its temp files on /dev/shm.
set -u
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
build=${1:-${AGENTRT_BUILD_DIR:-$repo/build}}
[ $# -gt 0 ] && shift
# Absolute: the command runs in the guest's /dev/shm.
build_abs=$(cd "$build" 2>/dev/null && pwd) || { echo "run_cgroup_v2: no build directory $build" >&2; exit 2; }
build=$build_abs
bin=$build/tests/integration_cgroups
v2vm=$here/v2vm.sh
if [ ! -x "$bin" ]; then
  echo "run_cgroup_v2: $bin not built (cmake --build $build --target integration_cgroups)" >&2
  exit 2
fi
args=""
for a in "$@"; do args="$args $(printf '%q' "$a")"; done
# Show the layout first so a log says which hierarchy the tests ran on.
exec bash "$v2vm" "stat -fc %T /sys/fs/cgroup && cat /sys/fs/cgroup/cgroup.subtree_control && cd /dev/shm && $(printf '%q' "$bin")$args"
