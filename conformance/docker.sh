#!/bin/bash
# Docker end-to-end checks against an OCI runtime, on a private dockerd.
#
#   RUNTIME=/path/to/agentrt [RUNTIME_NAME=agentrt|agentrt-dev] conformance/docker.sh
#
# The daemon registers RUNTIME twice: `agentrt` (plain) and `agentrt-dev` (--profile=agent-dev);
# RUNTIME_NAME picks the one the checks use. RUNTIME=$(which runc) validates the checks.
# AGENT_POLICY=1|0 says whether the agent floor (caps, seccomp) applies; by default it is 1
# when the runtime binary is named agentrt.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/common.sh"
. "$HERE/lib/engine_checks.sh"
. "$HERE/lib/policy_checks.sh"

RUNTIME=${RUNTIME:?set RUNTIME=/path/to/runtime}
RUNTIME=$(readlink -f "$RUNTIME")
RUNTIME_NAME=${RUNTIME_NAME:-agentrt}
if [ -z "${AGENT_POLICY:-}" ]; then
    case "$(basename "$RUNTIME")" in agentrt*) AGENT_POLICY=1 ;; *) AGENT_POLICY=0 ;; esac
fi
DOCKER=/usr/bin/docker
DOCKERD=/usr/sbin/dockerd

if [ ! -x "$DOCKERD" ]; then
    apt-get install -y docker.io >/dev/null || { echo "cannot install docker.io"; echo "0 passed, 1 failed"; exit 1; }
fi

WORK=$(mktemp -d /tmp/agentrt-docker-XXXXXX)
TMP=$WORK/tmp
CGPARENT=agentrt-conf-docker-$$
mkdir -p "$TMP" "$WORK/data" "$WORK/exec"
SOCK=$WORK/docker.sock
ENGINE_CMD="$DOCKER -H unix://$SOCK"
RUN_OPTS="--runtime=$RUNTIME_NAME --network none"
IMG=conformance/busybox:latest
ENGINE=docker
ULIMIT_EXTRA=

note_new_paths /run/docker /run/docker/plugins /run/containerd /run/containerd/s /run/containerd/fifo
cleanup() {
    local ids
    ids=$($ENGINE_CMD ps -aq 2>/dev/null)
    [ -n "$ids" ] && timeout -s KILL 60 $ENGINE_CMD rm -f $ids >/dev/null 2>&1
    stop_pid "$WORK/docker.pid"
    stop_pid "$WORK/exec/containerd/containerd.pid"
    kill_pids_matching "$WORK/"
    unmount_under "$WORK"
    remove_cgroup_dirs "$CGPARENT"
    remove_new_paths
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# Engine helpers (conmon's oom marker, ...) may drop files into the cwd: keep them in WORK.
cd "$WORK" || exit 1

cat >"$WORK/daemon.json" <<EOF
{
  "runtimes": {
    "agentrt": { "path": "$RUNTIME" },
    "agentrt-dev": { "path": "$RUNTIME", "runtimeArgs": ["--profile=agent-dev"] },
    "agentrt-fswrite": { "path": "$RUNTIME", "runtimeArgs": ["--fs-write=/tmp"] },
    "agentrt-egress": { "path": "$RUNTIME", "runtimeArgs": ["--egress=192.0.2.1:443"] }
  }
}
EOF

if ! start_private_dockerd "$ENGINE_CMD"; then
    fail "dockerd starts" "$(tail -5 "$WORK/dockerd.log")"
    summary
    exit 1
fi
pass "dockerd starts with runtimes registered"
expect_match "docker info lists $RUNTIME_NAME" "$RUNTIME_NAME" "$($ENGINE_CMD info --format '{{json .Runtimes}}')"

make_rootfs "$WORK/rootfs"
tar -C "$WORK/rootfs" -c . | $ENGINE_CMD import --change 'CMD ["/bin/sh"]' --change 'ENV PATH=/bin:/sbin:/usr/bin' - "$IMG" >/dev/null
expect_eq "docker import of the busybox rootfs" "conformance-image" "$(R "$IMG" cat /etc/conformance-marker 2>&1)"

capture_noise "$TMP/stderr.log"
checks_run
checks_detached
if [ "$AGENT_POLICY" = 1 ]; then FS_WRITE_RUNTIME=agentrt-fswrite EGRESS_RUNTIME=agentrt-egress checks_fs_policy; fi
release_noise

if [ "${CONF_DEBUG:-0}" = 1 ]; then tail -30 "$WORK/dockerd.log"; fi
summary
[ "$FAIL" -eq 0 ]
