#!/bin/bash
# run_criu.sh [BUILD_DIR] [catch2 args...]
#
# checkpoint/restore with CRIU, in one boot of the nested 6.1 kernel (tests/v2vm/v2vm.sh), where Debian's
# criu runs (on a 6.18 host it stops at "vdso: Unexpected rt vDSO area bounds"). In the guest: `criu check`,
# then the hidden [.criu-nested] checks of integration_lifecycle, each against runc first and then agentrt:
# a counter checkpointed and restored continues its count, --leave-running, the threat probe and seccomp
# status the same before and after, the hooks a restore runs. Their scratch files are on the guest's own
# /run (criu cannot restore from 9p). Then `podman container checkpoint` and `restore` of a counter
# (guest/criu-podman.sh) with runc and then agentrt as podman's runtime. Exits non-zero if any part failed.
#   run_criu.sh host [BUILD_DIR]: the failure path on this host instead ([.criu-host]: the host's criu fails
#   `criu check`, agentrt names criu's log, nothing is left behind), no guest.
# BUILD_DIR defaults to $AGENTRT_BUILD_DIR or <repo>/build; it needs agentrt, integration_lifecycle and
# tests/threat/agentrt_probe built. Host packages: criu runc, and what v2vm.sh lists.
set -u
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
mode=nested
if [ "${1:-}" = host ]; then
  mode=host
  shift
fi
build=${1:-${AGENTRT_BUILD_DIR:-$repo/build}}
[ $# -gt 0 ] && shift
build=$(cd "$build" 2>/dev/null && pwd) || { echo "run_criu: no build directory ${1:-}" >&2; exit 2; }
bin=$build/tests/integration_lifecycle
for f in "$bin" "$build/agentrt" "$build/tests/threat/agentrt_probe"; do
  [ -x "$f" ] || { echo "run_criu: $f not built" >&2; exit 2; }
done
command -v criu >/dev/null || { echo "run_criu: no criu: apt-get install -y criu" >&2; exit 2; }
[ $mode = host ] || command -v podman >/dev/null || { echo "run_criu: no podman: apt-get install -y podman" >&2; exit 2; }
args=""
for a in "$@"; do args="$args $(printf '%q' "$a")"; done

if [ $mode = host ]; then
  cd /run || exit 2
  exec "$bin" "[.criu-host]"$args
fi
# `criu check` first, so a log says whether criu itself works in the guest before any container check.
q() { printf '%q' "$1"; }
podman_checks="t=\$SECONDS; bash $(q "$here/guest/criu-podman.sh") $(q "$(command -v runc)"); runc_podman=\$?; \
bash $(q "$here/guest/criu-podman.sh") $(q "$build/agentrt"); agentrt_podman=\$?; podman_s=\$((SECONDS - t))"
exec env V2VM_TMP=guest V2VM_TIMEOUT=${V2VM_TIMEOUT:-1200} bash "$here/v2vm.sh" \
  "uname -r && criu --version | head -1 && criu check || exit 1; cd /dev/shm && t=\$SECONDS && \
$(q "$bin") '[.criu-nested]'$args; lifecycle=\$?; lifecycle_s=\$((SECONDS - t)); $podman_checks; \
echo \"criu checks: integration_lifecycle exit \$lifecycle (\${lifecycle_s}s), podman with runc exit \$runc_podman, \
podman with agentrt exit \$agentrt_podman (both \${podman_s}s)\"; \
[ \$lifecycle -eq 0 ] && [ \$runc_podman -eq 0 ] && [ \$agentrt_podman -eq 0 ]"
