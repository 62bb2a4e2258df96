#!/bin/bash
# The audit trail (issue 15) driven by Docker, on a private dockerd: `docker run --rm --runtime agentrt-audit`
# (runtimeArgs --audit; Debian's docker CLI has no --annotation) gives the agent the floor's errno, and
# `agentrt audit` prints the denials after Docker deleted the container.
#
#   RUNTIME=/path/to/agentrt conformance/docker_audit.sh
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/common.sh"
. "$HERE/lib/engine_checks.sh"

RUNTIME=$(readlink -f "${RUNTIME:?set RUNTIME=/path/to/agentrt}")
DOCKER=/usr/bin/docker
DOCKERD=/usr/sbin/dockerd
WORK=$(mktemp -d /tmp/agentrt-docker-audit-XXXXXX)
CGPARENT=agentrt-conf-docker-audit-$$
mkdir -p "$WORK/data" "$WORK/exec"
SOCK=$WORK/docker.sock
ENGINE_CMD="$DOCKER -H unix://$SOCK"
RUN_OPTS="--runtime=agentrt --network none"
IMG=conformance/busybox:latest

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
cd "$WORK" || exit 1

cat >"$WORK/daemon.json" <<JSON
{ "runtimes": { "agentrt": { "path": "$RUNTIME" },
                "agentrt-audit": { "path": "$RUNTIME", "runtimeArgs": ["--audit"] } } }
JSON
if ! start_private_dockerd "$ENGINE_CMD"; then
    fail "dockerd starts" "$(tail -5 "$WORK/dockerd.log")"
    summary
    exit 1
fi
make_rootfs "$WORK/rootfs"
tar -C "$WORK/rootfs" -c . | $ENGINE_CMD import --change 'CMD ["/bin/sh"]' --change 'ENV PATH=/bin:/sbin:/usr/bin' - "$IMG" >/dev/null

SCRIPT='mount -t tmpfs none /mnt 2>&1; hostname x 2>&1; echo done'
plain=$(R "$IMG" sh -c "$SCRIPT" 2>&1)
out=$(R --runtime agentrt-audit --cidfile "$WORK/cid" "$IMG" sh -c "$SCRIPT" 2>&1)
expect_eq "docker run --rm --runtime agentrt-audit: the agent sees what it sees without audit" \
    "$plain" "$out"
cid=$(cat "$WORK/cid" 2>/dev/null)
expect_eq "the container is gone (--rm)" "" "$($ENGINE_CMD ps -aq --no-trunc | grep "$cid")"
# The --root Docker gives the runtime depends on its version and shim: found from the log it kept.
log=$(find "$WORK" /run/docker /run/containerd -path "*/.audit/$cid.jsonl" 2>/dev/null | head -1)
expect_match "the audit log outlives the container" "/.audit/$cid.jsonl" "$log"
echo "# audit log: $log"
audit=$("$RUNTIME" --root "$(dirname "$(dirname "$log")")" audit "$cid" 2>&1)
expect_match "agentrt audit after --rm: mount denied EPERM" " mount: mount\(.*\) = EPERM" "$audit"
expect_match "agentrt audit after --rm: sethostname denied EPERM" " hostname: sethostname\(.*\) = EPERM" "$audit"
expect_eq "no audit supervisor left" "" "$(pgrep -f "__audit-supervisor.*$cid")"
summary
[ "$FAIL" -eq 0 ]
