#!/bin/bash
# The systemd cgroup driver in a pure cgroup v2 guest with systemd as PID 1: one boot of the nested kernel
# (tests/v2vm/v2vm.sh with guest/systemd-init.sh) runs tests/v2vm/systemd_checks.sh against runc (the
# reference) and then agentrt. Exits with the checks' status.
#   tests/v2vm/run_systemd.sh [BUILD_DIR]
# BUILD_DIR defaults to $AGENTRT_BUILD_DIR or <repo>/build; it must hold the agentrt binary.
set -u
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
build=${1:-${AGENTRT_BUILD_DIR:-$repo/build}}
build=$(cd "$build" 2>/dev/null && pwd) || { echo "run_systemd: no build directory $build" >&2; exit 2; }
[ -x "$build/agentrt" ] || { echo "run_systemd: $build/agentrt not built" >&2; exit 2; }
[ -x /lib/systemd/systemd ] || { echo "run_systemd: no /lib/systemd/systemd: apt-get install -y systemd" >&2; exit 2; }
command -v runc >/dev/null || { echo "run_systemd: no runc (the reference): apt-get install -y runc" >&2; exit 2; }
export V2VM_INIT=$here/guest/systemd-init.sh
exec bash "$here/v2vm.sh" "bash $(printf '%q' "$here/systemd_checks.sh") $(printf '%q' "$build/agentrt") runc $(printf '%q' "$build/agentrt")"
