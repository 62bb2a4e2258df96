#!/bin/bash
# Workspace review through the engines: a bind mount the engine asked for becomes agentrt's overlay, and
# `agentrt workspace` reviews it after the engine is done with the container.
#
#   RUNTIME=/path/to/agentrt conformance/workspace_engines.sh
#
# Docker: a private dockerd whose runtime `agentrt-ws` has runtimeArgs --workspace=/project (every container of
# that runtime must then bind something at /project); `docker run --rm` deletes the container, the store stays.
# Podman: the annotation run.agentrt.workspace=/project on `podman run --rm`. Both keep the store in $WORK.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/common.sh"

RUNTIME=${RUNTIME:?set RUNTIME=/path/to/agentrt}
RUNTIME=$(readlink -f "$RUNTIME")
DOCKER=/usr/bin/docker
DOCKERD=/usr/sbin/dockerd
PODMAN=/usr/bin/podman

WORK=$(mktemp -d /tmp/agentrt-wsengines-XXXXXX)
CGPARENT=agentrt-conf-wsengines-$$
STORE=$WORK/store
SOCK=$WORK/docker.sock
IMG=conformance/busybox:latest
mkdir -p "$WORK/data" "$WORK/exec" "$WORK/podman/root" "$WORK/podman/runroot" "$WORK/podman/tmp" "$STORE"
DOCKER_CMD="$DOCKER -H unix://$SOCK"
WS="$RUNTIME --workspace-store $STORE workspace"

note_new_paths /run/docker /run/docker/plugins /run/containerd /run/containerd/s /run/containerd/fifo \
    /var/lib/containers /var/lib/containers/cache /run/containers /run/containers/networks
cleanup() {
    stop_private_dockerd "$DOCKER_CMD"
    [ -n "${PODMAN_CMD:-}" ] && timeout -s KILL 60 $PODMAN_CMD rm -af -t 0 >/dev/null 2>&1
    release_work
}
trap cleanup EXIT
trap 'exit 130' INT TERM
cd "$WORK" || exit 1
make_rootfs "$WORK/rootfs"

# fresh_host NAME: a host project directory with a file to edit and one to delete; prints its path.
fresh_host() {
    local h=$WORK/$1
    mkdir -p "$h/src"
    echo original >"$h/a.txt"
    echo "remove me" >"$h/b.txt"
    echo "int main;" >"$h/src/main.c"
    echo "$h"
}

# host_hash DIR: one checksum over every path, kind, mode and content under DIR.
host_hash() {
    (cd "$1" && find . -printf '%p %y %m\n' | sort && find . -type f -exec md5sum {} + | sort) | md5sum
}

# review_checks ENGINE RUN...: RUN runs a container with the workspace at /project (its last argument is the
# host directory's bind) and --rm; the checks the review workflow needs, the same for every engine.
review_checks() {
    local engine=$1 run=$2 cid out host before
    host=$(fresh_host "$engine-host")
    before=$(host_hash "$host")
    out=$($run --cidfile "$WORK/$engine.cid" -v "$host:/project" "$IMG" \
        sh -c 'echo edited >/project/a.txt; rm /project/b.txt; echo new >/project/src/new.c; cat /project/a.txt' 2>&1)
    expect_eq "$engine: the agent sees its own edit" "edited" "$out"
    cid=$(cat "$WORK/$engine.cid" 2>/dev/null)
    expect_eq "$engine: the host directory is unchanged (tree hash)" "$before" "$(host_hash "$host")"
    expect_nomatch "$engine: --rm deleted the container" "$cid" "$($ENGINE_CMD ps -aq --no-trunc 2>&1)"
    expect_match "$engine: workspace list shows it with 3 changes" "$cid +3 +[0-9.]+[KMG]?i?B +[0-9T:-]+ +/project=$host" "$($WS list 2>&1)"
    expect_eq "$engine: workspace diff lists exactly the changes" \
        "$(printf 'M /project/a.txt\nD /project/b.txt\nA /project/src/new.c')" "$($WS diff "$cid" 2>&1)"
    out=$($WS commit "$cid" 2>&1)
    expect_match "$engine: workspace commit applies them" "3 change\(s\) committed, 0 conflict" "$out"
    expect_eq "$engine: the host has the agent's tree" "edited|absent|new" \
        "$(cat "$host/a.txt")|$([ -e "$host/b.txt" ] && echo present || echo absent)|$(cat "$host/src/new.c")"
    out=$($WS discard "$cid" 2>&1)
    expect_match "$engine: discard of the emptied workspace removes the store" "workspace removed" "$out"
    expect_eq "$engine: nothing left in the store" "" "$(ls "$STORE")"

    # Discard: the host stays as it was.
    before=$(host_hash "$host")
    $run --cidfile "$WORK/$engine-d.cid" -v "$host:/project" "$IMG" \
        sh -c 'echo junk >/project/a.txt; rm -r /project/src' >/dev/null 2>&1
    cid=$(cat "$WORK/$engine-d.cid" 2>/dev/null)
    expect_eq "$engine: a deleted directory is one change" "$(printf 'M /project/a.txt\nD /project/src/')" \
        "$($WS diff "$cid" 2>&1)"
    out=$($WS discard "$cid" 2>&1)
    expect_match "$engine: discard drops the changes" "2 change\(s\) discarded, 0 left, workspace removed" "$out"
    expect_eq "$engine: discard leaves the host as it was (tree hash)" "$before" "$(host_hash "$host")"
}

# running_checks ENGINE RUN_DETACHED: commit is refused while the engine's container runs, found through the
# state directory the store recorded (the engine's --root, not agentrt's default), and allowed once removed.
running_checks() {
    local engine=$1 run=$2 cid out host
    host=$(fresh_host "$engine-running")
    cid=$($run -d -v "$host:/project" "$IMG" sh -c 'echo x >/project/x.txt; sleep 300' 2>&1)
    for _ in $(seq 1 50); do [ -n "$($WS diff "$cid" 2>/dev/null)" ] && break; sleep 0.2; done
    out=$($WS commit "$cid" 2>&1)
    expect_match "$engine: commit refused while the container runs" "the container is running: stop it first" "$out"
    expect_eq "$engine: nothing committed while it runs" "absent" \
        "$([ -e "$host/x.txt" ] && echo present || echo absent)"
    $ENGINE_CMD rm -f "$cid" >/dev/null 2>&1
    out=$($WS commit "$cid" 2>&1)
    expect_match "$engine: commit once the engine removed it" "1 change\(s\) committed" "$out"
    expect_eq "$engine: the file reached the host" "x" "$(cat "$host/x.txt" 2>&1)"
    $WS discard "$cid" >/dev/null 2>&1
}

# --- Docker ---
if [ -x "$DOCKERD" ]; then
    cat >"$WORK/daemon.json" <<EOF
{
  "runtimes": {
    "agentrt-ws": { "path": "$RUNTIME", "runtimeArgs": ["--workspace=/project", "--workspace-store=$STORE"] }
  }
}
EOF
    if start_private_dockerd "$DOCKER_CMD"; then
        pass "docker: private dockerd starts with agentrt-ws registered"
        tar -C "$WORK/rootfs" -c . | $DOCKER_CMD import --change 'CMD ["/bin/sh"]' - "$IMG" >/dev/null
        ENGINE_CMD=$DOCKER_CMD
        review_checks docker "$DOCKER_CMD run --rm --runtime=agentrt-ws --network none"
        running_checks docker "$DOCKER_CMD run --runtime=agentrt-ws --network none"
    else
        fail "docker: private dockerd starts" "$(tail -5 "$WORK/dockerd.log")"
    fi
    stop_private_dockerd "$DOCKER_CMD"
else
    skip "docker" "no dockerd at $DOCKERD"
fi

# --- Podman ---
if [ -x "$PODMAN" ]; then
    # Root here lacks CAP_SYS_RESOURCE: podman's default nofile raise would fail, so its ulimits are pinned.
    cat >"$WORK/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]
netns = "none"
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$WORK/podman/events.log"
EOF
    export CONTAINERS_CONF=$WORK/containers.conf
    PODMAN_CMD="$PODMAN --root $WORK/podman/root --runroot $WORK/podman/runroot --runtime $RUNTIME \
--runtime-flag workspace-store=$STORE --cgroup-manager cgroupfs --events-backend file --tmpdir $WORK/podman/tmp"
    ENGINE_CMD=$PODMAN_CMD
    if tar -C "$WORK/rootfs" -c . | $PODMAN_CMD import --change 'CMD ["/bin/sh"]' - "$IMG" >/dev/null 2>&1; then
        pass "podman: image imported"
        opts="--network none --cgroup-parent /$CGPARENT --annotation run.agentrt.workspace=/project"
        review_checks podman "$PODMAN_CMD run --rm $opts"
        running_checks podman "$PODMAN_CMD run $opts"
    else
        fail "podman: image import" "$(tar -C "$WORK/rootfs" -c . | $PODMAN_CMD import - "$IMG" 2>&1 | tail -3)"
    fi
else
    skip "podman" "no podman at $PODMAN"
fi

summary
[ "$FAIL" -eq 0 ]
