#!/bin/bash
# containerd end-to-end checks: a private containerd (own config, root, state, socket), the
# busybox image imported from an OCI archive built here, tasks run through the runc v2 shim
# with `--runc-binary $RUNTIME`.
#
#   RUNTIME=/path/to/agentrt conformance/containerd.sh
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/common.sh"
. "$HERE/lib/oci_archive.sh"

RUNTIME=${RUNTIME:?set RUNTIME=/path/to/runtime}
RUNTIME=$(readlink -f "$RUNTIME")
CONTAINERD=/usr/bin/containerd
CTR_BIN=/usr/bin/ctr
WORK=$(mktemp -d /tmp/agentrt-ctrd-XXXXXX)
TMP=$WORK/tmp
NS=conformance
CGPARENT=agentrt-conf-ctrd-$$
RUNC_ROOT=$WORK/runc-root
SOCK=$WORK/containerd.sock
IMG=docker.io/conformance/busybox:latest
mkdir -p "$TMP" "$RUNC_ROOT"

CTR() { timeout -s KILL 120 "$CTR_BIN" -a "$SOCK" -n "$NS" "$@"; }
RUN() { CTR run --runc-binary "$RUNTIME" --runc-root "$RUNC_ROOT" "$@"; }

note_new_paths /run/containerd /run/containerd/s /run/containerd/fifo
cleanup() {
    local t
    for t in $(CTR task ls -q 2>/dev/null); do CTR task kill -s SIGKILL "$t" >/dev/null 2>&1; done
    sleep 0.3
    for t in $(CTR task ls -q 2>/dev/null); do CTR task rm -f "$t" >/dev/null 2>&1; done
    for t in $(CTR containers ls -q 2>/dev/null); do CTR containers rm "$t" >/dev/null 2>&1; done
    stop_pid "$WORK/containerd.pid"
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

cat >"$WORK/config.toml" <<EOF
version = 2
root = "$WORK/root"
state = "$WORK/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$SOCK"
[ttrpc]
  address = "$SOCK.ttrpc"
[debug]
  address = "$WORK/debug.sock"
EOF

"$CONTAINERD" --config "$WORK/config.toml" >"$WORK/containerd.log" 2>&1 &
echo $! >"$WORK/containerd.pid"
for _ in $(seq 1 100); do
    "$CTR_BIN" -a "$SOCK" version >/dev/null 2>&1 && break
    sleep 0.1
done
if ! "$CTR_BIN" -a "$SOCK" version >/dev/null 2>&1; then
    fail "containerd starts" "$(tail -5 "$WORK/containerd.log")"
    summary
    exit 1
fi
pass "containerd starts"

make_rootfs "$WORK/rootfs"
make_oci_archive "$WORK/rootfs" "$WORK/image.tar" "$IMG"
out=$(CTR images import "$WORK/image.tar" 2>&1)
expect_match "ctr images import of the busybox OCI archive" "conformance/busybox" "$(CTR images ls -q 2>&1) $out"

capture_noise "$TMP/stderr.log"
expect_eq "ctr run: image rootfs" "conformance-image" "$(RUN --rm --cgroup "/$CGPARENT/c1" "$IMG" c1 cat /etc/conformance-marker 2>&1)"
RUN --rm "$IMG" c2 sh -c 'exit 3' >/dev/null 2>&1
expect_eq "ctr run: exit code" "3" "$?"
out=$(RUN --rm "$IMG" c3 sh -c 'echo to-out; echo to-err >&2' 2>"$TMP/err")
expect_eq "ctr run: stdout" "to-out" "$out"
expect_eq "ctr run: stderr" "to-err" "$(cat "$TMP/err")"
expect_eq "ctr run: stdin" "from-stdin" "$(echo from-stdin | RUN --rm "$IMG" c4 sh -c 'read -r l; echo "$l"')"
expect_match "ctr run --env" "^FOO=bar$" "$(RUN --rm --env FOO=bar "$IMG" c5 env)"
expect_eq "ctr run --cwd" "/tmp" "$(RUN --rm --cwd /tmp "$IMG" c6 pwd)"
expect_eq "ctr run: pid namespace" "1" "$(RUN --rm "$IMG" c7 sh -c 'echo $$')"
out=$(script -qec "timeout --foreground -s KILL 60 $CTR_BIN -a $SOCK -n $NS run --rm -t --runc-binary $RUNTIME --runc-root $RUNC_ROOT $IMG c8 sh -c '[ -t 1 ] && echo is-tty'" /dev/null </dev/null | tr -d '\r')
expect_match "ctr run -t: pty" "is-tty" "$out"
out=$(RUN --rm --memory-limit 67108864 --cgroup "/$CGPARENT/c9" "$IMG" c9 sh -c 'cat /proc/self/cgroup' 2>&1)
cgpath=$(echo "$out" | awk -F: '$2 == "memory" {print $3}')
expect_eq "ctr run --cgroup: process in the requested cgroup" "/$CGPARENT/c9" "$cgpath"
out=$(RUN --rm --read-only "$IMG" c10 sh -c 'touch /x 2>/dev/null && echo writable || echo ro')
expect_eq "ctr run --read-only" "ro" "$out"
mkdir -p "$TMP/bind"
RUN --rm --mount "type=bind,src=$TMP/bind,dst=/data,options=rbind:rw" "$IMG" c11 sh -c 'echo from-ctr >/data/f' >/dev/null 2>&1
expect_eq "ctr run --mount bind rw" "from-ctr" "$(cat "$TMP/bind/f" 2>&1)"
out=$(RUN --rm --cap-drop CAP_CHOWN "$IMG" c12 sh -c 'chown 1 /tmp 2>/dev/null && echo chowned || echo denied')
expect_eq "ctr run --cap-drop CAP_CHOWN" "denied" "$out"
out=$(RUN --rm --seccomp "$IMG" c13 awk '/^Seccomp:/ {print $2}' /proc/self/status)
expect_eq "ctr run --seccomp: filter installed" "2" "$out"

# Detached task: the runtime really is the one given (its --root shows the container), exec,
# ps, pause/resume, kill with a signal, delete.
detached_task_checks() {
    RUN -d --cgroup "/$CGPARENT/d1" --memory-limit 67108864 --mount "type=bind,src=$TMP/bind,dst=/data,options=rbind:rw" \
        "$IMG" d1 sh -c 'trap "echo got-usr1 >/data/sig" USR1; while :; do sleep 0.2; done' >/dev/null 2>&1
    if ! CTR task ls 2>/dev/null | grep -Eq "^d1 +[0-9]+ +RUNNING"; then
        fail "ctr run -d: task running" "$(CTR task ls 2>&1 | tr '\n' ' ')"
        return
    fi
    pass "ctr run -d: task running"
    expect_eq "the task runs under the given runtime (its state says running)" "running" \
        "$("$RUNTIME" --root "$RUNC_ROOT/$NS" state d1 2>&1 | awk -F'"' '/"status"/ {print $4}')"
    expect_eq "memory limit written to the task cgroup" "67108864" \
        "$(cat "/sys/fs/cgroup/memory/$CGPARENT/d1/memory.limit_in_bytes" 2>&1)"
    expect_eq "ctr task exec: output" "hi" "$(CTR task exec --exec-id e1 d1 echo hi 2>&1)"
    CTR task exec --exec-id e2 d1 sh -c 'exit 4' >/dev/null 2>&1
    expect_eq "ctr task exec: exit code" "4" "$?"
    expect_eq "ctr task exec --cwd" "/tmp" "$(CTR task exec --exec-id e3 --cwd /tmp d1 pwd 2>&1)"
    out=$(CTR task ps d1 2>&1)
    expect_match "ctr task ps: lists the init pid" "^$(CTR task ls 2>/dev/null | awk '$1 == "d1" {print $2}') " "$out"
    CTR task pause d1 >/dev/null 2>&1
    expect_match "ctr task pause: PAUSED" "d1 +[0-9]+ +PAUSED" "$(CTR task ls 2>&1)"
    expect_eq "ctr task pause: freezer frozen" "FROZEN" "$(cat "/sys/fs/cgroup/freezer/$CGPARENT/d1/freezer.state" 2>&1)"
    CTR task resume d1 >/dev/null 2>&1
    expect_match "ctr task resume: RUNNING" "d1 +[0-9]+ +RUNNING" "$(CTR task ls 2>&1)"
    CTR task kill -s SIGUSR1 d1 >/dev/null 2>&1
    sleep 1
    expect_eq "ctr task kill -s SIGUSR1: delivered" "got-usr1" "$(cat "$TMP/bind/sig" 2>&1)"
    CTR task kill -s SIGKILL d1 >/dev/null 2>&1
    for _ in $(seq 1 50); do
        CTR task ls 2>/dev/null | grep -Eq "d1 +[0-9]+ +STOPPED" && break
        sleep 0.1
    done
    expect_match "ctr task kill -s SIGKILL: STOPPED" "d1 +[0-9]+ +STOPPED" "$(CTR task ls 2>&1)"
    CTR task rm d1 >/dev/null 2>&1
    expect_nomatch "ctr task rm: task gone" "^d1 " "$(CTR task ls 2>&1)"
    expect_eq "ctr task rm: runtime state removed" "gone" \
        "$("$RUNTIME" --root "$RUNC_ROOT/$NS" state d1 >/dev/null 2>&1 && echo present || echo gone)"
    CTR containers rm d1 >/dev/null 2>&1
    expect_nomatch "ctr containers rm" "^d1$" "$(CTR containers ls -q 2>&1)"
    if [ ! -d "/sys/fs/cgroup/memory/$CGPARENT/d1" ]; then pass "task cgroup removed"
    else fail "task cgroup removed" "/sys/fs/cgroup/memory/$CGPARENT/d1 still exists"; fi
}
detached_task_checks

# --rootfs: a plain directory instead of a snapshot.
make_rootfs "$WORK/plainroot"
expect_eq "ctr run --rootfs" "conformance-image" "$(RUN --rm --rootfs "$WORK/plainroot" r1 /bin/cat /etc/conformance-marker 2>&1)"
release_noise

summary
[ "$FAIL" -eq 0 ]
