#!/bin/bash
# Startup benchmark: agentrt vs runc vs crun on a busybox bundle ("Performance: beat crun").
# Measures interleaved (A/B/C per iteration, rotated) so machine drift hits every runtime alike; reports medians and
# p90, ratios, peak RSS, syscall counts, a concurrency run with a leak check, and writes bench/out/{results.md,
# results.json,chart.svg}. Targets are reported, never asserted.
#
# Environment:
#   AGENTRT          agentrt binary (default build/agentrt in this repo)
#   N                iterations per measurement (default 50)
#   SEQ              runs in the sequential measurement (default 100)
#   RUNTIMES         space-separated subset of "agentrt runc crun" (default: all three); agentrt@PROFILE is agentrt
#                    with --profile PROFILE, so profiles compare in one run:
#                    RUNTIMES="agentrt@agent-default agentrt@agent-locked" bash bench/run.sh
#   AGENTRT_PROFILE  agent policy for agentrt (default "off" so all runtimes apply the same filter; "" = its default)
#   BENCH_DIR        scratch directory for bundles and state (default /run/agentrt-bench)
#   OUT              output directory (default bench/out next to this script)
#   BENCH_NOTE       a note for the report, e.g. where it ran
#
# Pure cgroup v2 (crun then creates cgroups too), in the nested kernel:
#   V2VM_TMP=guest tests/v2vm/v2vm.sh "N=10 SEQ=20 OUT=$PWD/bench/out-v2 BENCH_NOTE='...' bash bench/run.sh"
# Its QEMU runs without KVM: timings there are emulated and only indicative; RSS and syscall counts are exact.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
work=${BENCH_DIR:-/run/agentrt-bench}
out=${OUT:-$here/out}
rootfs=$work/rootfs

if [ "$(id -u)" != 0 ]; then
  echo "run.sh: must run as root" >&2
  exit 1
fi

runtimes=${RUNTIMES:-agentrt runc crun}

# busybox rootfs shared read-only by every bundle.
rm -rf "$work"
mkdir -p "$rootfs"/{bin,proc,dev,sys,tmp,etc,root}
cp /bin/busybox "$rootfs/bin/busybox"
for applet in sh true sleep cat ls echo; do ln -s busybox "$rootfs/bin/$applet"; done
echo 'root:x:0:0:root:/root:/bin/sh' >"$rootfs/etc/passwd"
echo 'root:x:0:' >"$rootfs/etc/group"

[ -f "$here/docker-default-seccomp.json" ] || python3 "$here/gen_docker_seccomp.py"
# The floor every runtime is measured against (issue 7): static, so it pays no dynamic loading either.
gcc -O2 -static -Wall -Werror -o "$work/floor" "$here/floor.c"
gcc -O2 -static -Wall -Werror -o "$work/nsexec" "$here/nsexec.c"
mkdir -p "$out"

# crun 1.8.1 refuses hybrid cgroups (it checks before it picks a manager, even --cgroup-manager=disabled). When the
# unified hierarchy has controllers, crun runs in a private mount namespace (held by a sleeping process) whose
# /sys/fs/cgroup is a fresh tmpfs holding only the v1 hierarchies, moved there from bind mounts: crun sees plain cgroup
# v1 and creates the container's cgroups with its cgroupfs manager, the same work runc and agentrt do (with the unified
# directory merely masked it still tried /sys/fs/cgroup/unified/<id>). CRUN_CGROUPS=0 runs crun with
# --cgroup-manager=disabled there instead. The host's mounts are not touched: the namespace's propagation is private.
# Every runtime is then started through bench/nsexec.c (crun into that namespace, the others into the harness's own),
# so all pay the same launcher cost.
mask_args=()
if [[ " $runtimes " == *" crun "* ]] && [ -n "$(cat /sys/fs/cgroup/unified/cgroup.controllers 2>/dev/null)" ]; then
  # The staging directory lives in the scratch directory (removed by the next run), not loose in /run.
  unshare --mount --propagation private -- /bin/bash -ec '
    stage=$1
    v1=$(awk '"'"'$3 == "cgroup" && $2 ~ "^/sys/fs/cgroup/[^/]+$" { sub("^/sys/fs/cgroup/", "", $2); print $2 }'"'"' /proc/self/mounts)
    mkdir -p "$stage"
    mount -t tmpfs agentrt-bench-v1 "$stage"
    for c in $v1; do mkdir "$stage/$c"; mount --bind "/sys/fs/cgroup/$c" "$stage/$c"; done
    mount -t tmpfs -o mode=755 agentrt-bench-cgroup /sys/fs/cgroup
    for c in $v1; do mkdir "/sys/fs/cgroup/$c"; mount --move "$stage/$c" "/sys/fs/cgroup/$c"; done
    echo ready
    exec sleep infinity' bench-v1 "$work/v1-stage" >"$work/mask.ready" &
  holder=$!
  trap 'kill "$holder" 2>/dev/null' EXIT
  for _ in $(seq 50); do
    grep -q ready "$work/mask.ready" && break
    sleep 0.1
  done
  grep -q ready "$work/mask.ready" || { echo "run.sh: could not set up crun's mount namespace" >&2; exit 1; }
  mask_args=(--crun-mntns-pid "$holder")
  [ "${CRUN_CGROUPS:-1}" = 1 ] || mask_args+=(--crun-no-cgroups)
fi

python3 -B "$here/bench.py" --work "$work" --rootfs "$rootfs" --out "$out" \
  --seccomp-profile "$here/docker-default-seccomp.json" \
  --agentrt "${AGENTRT:-$here/../build/agentrt}" --iterations "${N:-50}" --seq "${SEQ:-100}" \
  --runtimes "$runtimes" --source "$(git -C "$here" describe --always --dirty 2>/dev/null || echo unknown)" --agentrt-profile "${AGENTRT_PROFILE-off}" \
  --floor "$work/floor" --nsexec "$work/nsexec" --note "${BENCH_NOTE:-}" "${mask_args[@]}"
