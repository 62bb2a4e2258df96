#!/bin/bash
# The systemd cgroup driver in a pure cgroup v2 guest with systemd as PID 1: one boot of the nested kernel
# (tests/v2vm/v2vm.sh with guest/systemd-init.sh) runs tests/v2vm/systemd_checks.sh against runc (the
# reference) and then agentrt, then tests/v2vm/engine_systemd_checks.sh (Docker with
# native.cgroupdriver=systemd and Podman with cgroup_manager=systemd, each driving runc and then agentrt).
# Exits non-zero when either script failed. The whole boot takes ~6 min under TCG: V2VM_TIMEOUT >= 900.
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
for tool in dockerd docker podman; do
  command -v $tool >/dev/null || { echo "run_systemd: no $tool: apt-get install -y docker.io podman" >&2; exit 2; }
done
export V2VM_INIT=$here/guest/systemd-init.sh
q() { printf '%q' "$1"; }
runc=$(command -v runc)
exec bash "$here/v2vm.sh" "bash $(q "$here/systemd_checks.sh") $(q "$build/agentrt") $(q "$runc") $(q "$build/agentrt"); \
driver=\$?; bash $(q "$here/engine_systemd_checks.sh") $(q "$runc") $(q "$build/agentrt"); engines=\$?; \
echo \"systemd driver checks: exit \$driver, engine checks: exit \$engines\"; [ \$driver -eq 0 ] && [ \$engines -eq 0 ]"
