#!/bin/bash
# Startup benchmark: agentrt vs runc vs crun on a busybox bundle ("Performance: beat crun").
# Measures interleaved (A/B/C per iteration, rotated) so machine drift hits every runtime alike; reports medians and
# p90, ratios, peak RSS, syscall counts, a concurrency run with a leak check, and writes bench/out/{results.md,
# results.json,chart.svg}. Targets are reported, never asserted.
#
# Environment:
#   AGENTRT          agentrt binary (default /work/main/build/agentrt)
#   N                iterations per measurement (default 50)
#   SEQ              runs in the sequential measurement (default 100)
#   RUNTIMES         space-separated subset of "agentrt runc crun" (default: all three)
#   AGENTRT_PROFILE  agent policy for agentrt (default "off" so all runtimes apply the same filter; "" = its default)
#   BENCH_DIR        scratch directory for bundles and state (default /run/agentrt-bench)
#   OUT              output directory (default bench/out next to this script)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
work=${BENCH_DIR:-/run/agentrt-bench}
out=${OUT:-$here/out}
rootfs=$work/rootfs

if [ "$(id -u)" != 0 ]; then
  echo "run.sh: must run as root" >&2
  exit 1
fi

# crun 1.8.1 refuses hybrid cgroups even with --cgroup-manager=disabled (it checks before it picks a manager). When
# the unified hierarchy has controllers, the whole benchmark re-runs itself in a private mount namespace with an empty
# read-only tmpfs over /sys/fs/cgroup/unified, so every runtime alike sees plain cgroup v1. The host's mounts are not
# touched: the namespace's propagation is private and it ends with the benchmark.
runtimes=${RUNTIMES:-agentrt runc crun}
if [[ " $runtimes " == *" crun "* && -z "${BENCH_CGROUP_MASKED:-}" ]] &&
  [ -n "$(cat /sys/fs/cgroup/unified/cgroup.controllers 2>/dev/null)" ]; then
  export BENCH_CGROUP_MASKED=1
  exec unshare --mount --propagation private -- /bin/bash -c \
    'mount -t tmpfs -o ro,size=4k agentrt-bench-mask /sys/fs/cgroup/unified && exec "$0" "$@"' "$0" "$@"
fi

# busybox rootfs shared read-only by every bundle.
rm -rf "$work"
mkdir -p "$rootfs"/{bin,proc,dev,sys,tmp,etc,root}
cp /bin/busybox "$rootfs/bin/busybox"
for applet in sh true sleep cat ls echo; do ln -s busybox "$rootfs/bin/$applet"; done
echo 'root:x:0:0:root:/root:/bin/sh' >"$rootfs/etc/passwd"
echo 'root:x:0:' >"$rootfs/etc/group"

[ -f "$here/docker-default-seccomp.json" ] || python3 "$here/gen_docker_seccomp.py"
mkdir -p "$out"
exec python3 "$here/bench.py" --work "$work" --rootfs "$rootfs" --out "$out" \
  --seccomp-profile "$here/docker-default-seccomp.json" \
  --agentrt "${AGENTRT:-/work/main/build/agentrt}" --iterations "${N:-50}" --seq "${SEQ:-100}" \
  --runtimes "$runtimes" --agentrt-profile "${AGENTRT_PROFILE-off}"
