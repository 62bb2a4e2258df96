# Shared helpers for the engine end-to-end scripts: result lines, busybox rootfs, cleanup.
# Source it; it defines PASS/FAIL/SKIP counters and the pass/fail/skip/expect_* functions.

PASS=0
FAIL=0
SKIP=0

# KNOWN_FAILURES[check name]=reason: checks the reference runtime is known to fail on this
# host; when the runtime under test is KNOWN_RUNTIME they are reported as skipped (never passed).
declare -A KNOWN_FAILURES=()
declare -A ENGINE_KNOWN_FAILURES=()
KNOWN_RUNTIME=runc

# NOISE_LOG: when set, stderr of the commands under test goes there (see capture_noise); the
# last line is attached to the next failure so result lines stay one per check.
NOISE_LOG=

capture_noise() { NOISE_LOG=$1; : >"$NOISE_LOG"; exec 3>&2 2>>"$NOISE_LOG"; }
release_noise() { exec 2>&3 3>&-; NOISE_LOG=; }
_noise() {
    [ -n "$NOISE_LOG" ] && [ -s "$NOISE_LOG" ] && printf ' [stderr: %s]' "$(grep -v '^$' "$NOISE_LOG" | tail -1 | head -c 300)"
    [ -n "$NOISE_LOG" ] && : >"$NOISE_LOG"
    return 0
}

pass() { [ -n "$NOISE_LOG" ] && : >"$NOISE_LOG"; echo "ok - $1"; PASS=$((PASS + 1)); }
fail() {
    local why
    why="$2$(_noise)"
    if [ -n "${KNOWN_FAILURES[$1]:-}" ] && [ "$(basename "${RUNTIME:-}")" = "$KNOWN_RUNTIME" ]; then
        skip "$1" "known failure of $KNOWN_RUNTIME here: ${KNOWN_FAILURES[$1]} (got: $why)"
        return
    fi
    # Failures of the engine or host rather than the runtime (every runtime fails them here): skipped with the
    # reason, never counted as passed.
    if [ -n "${ENGINE_KNOWN_FAILURES[$1]:-}" ]; then
        skip "$1" "engine/host limitation, any runtime: ${ENGINE_KNOWN_FAILURES[$1]} (got: $why)"
        return
    fi
    echo "not ok - $1: $why"
    FAIL=$((FAIL + 1))
}
skip() { [ -n "$NOISE_LOG" ] && : >"$NOISE_LOG"; echo "ok - $1 # SKIP $2"; SKIP=$((SKIP + 1)); }

# expect_eq NAME WANT GOT
expect_eq() {
    if [ "$3" == "$2" ]; then pass "$1"; else fail "$1" "expected '$2', got '$(printf '%s' "$3" | head -c 300)'"; fi
}

# expect_match NAME REGEX GOT
expect_match() {
    if printf '%s' "$3" | grep -Eq -- "$2"; then pass "$1"; else fail "$1" "expected /$2/, got '$(printf '%s' "$3" | head -c 300)'"; fi
}

# expect_nomatch NAME REGEX GOT
expect_nomatch() {
    if printf '%s' "$3" | grep -Eq -- "$2"; then fail "$1" "unexpected /$2/ in '$(printf '%s' "$3" | head -c 300)'"; else pass "$1"; fi
}

summary() {
    if [ "$SKIP" -gt 0 ]; then
        echo "$PASS passed, $FAIL failed, $SKIP skipped"
    else
        echo "$PASS passed, $FAIL failed"
    fi
}

# make_rootfs DIR: a busybox-static rootfs with users for --user checks.
make_rootfs() {
    local d=$1
    mkdir -p "$d"/{bin,sbin,usr/bin,usr/sbin,etc,tmp,proc,sys,dev,root,home/conf}
    chmod 1777 "$d/tmp"
    cp /bin/busybox "$d/bin/busybox"
    chmod 755 "$d/bin/busybox"
    local n
    for n in $(/bin/busybox --list); do
        [ "$n" = busybox ] || ln -sf busybox "$d/bin/$n"
    done
    cat >"$d/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
conf:x:1000:1000:conf:/home/conf:/bin/sh
nobody:x:65534:65534:nobody:/:/bin/sh
EOF
    cat >"$d/etc/group" <<'EOF'
root:x:0:
tty:x:5:
wheel:x:10:conf
conf:x:1000:
extra:x:2000:conf
nogroup:x:65534:
EOF
    chown 1000:1000 "$d/home/conf"
    echo conformance-image >"$d/etc/conformance-marker"
}

# kill_pids_matching STRING: end processes whose command line mentions STRING (our private
# paths only), by pid.
kill_pids_matching() {
    local pat=$1 p
    for p in /proc/[0-9]*; do
        p=${p#/proc/}
        [ "$p" = "$$" ] && continue
        if { tr '\0' ' ' <"/proc/$p/cmdline"; } 2>/dev/null | grep -qF -- "$pat"; then
            kill -KILL "$p" 2>/dev/null
        fi
    done
}

# stop_pid PIDFILE_OR_PID: TERM, wait up to 20 s, then KILL.
stop_pid() {
    local pid=$1 i
    [ -f "$pid" ] && pid=$(cat "$pid" 2>/dev/null)
    [ -n "$pid" ] || return 0
    kill -TERM "$pid" 2>/dev/null || return 0
    for i in $(seq 1 100); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.2
    done
    kill -KILL "$pid" 2>/dev/null
}

# unmount_under DIR: lazily unmount every mount below DIR, deepest first.
unmount_under() {
    local dir=$1
    awk -v d="$dir" '$5 ~ "^"d {print $5}' /proc/self/mountinfo | sort -r | while read -r m; do
        umount -l "$m" 2>/dev/null
    done
}

# remove_cgroup_dirs NAME: rmdir the cgroup NAME (and children) under each v1 controller
# and the unified hierarchy; only for cgroups this script created.
remove_cgroup_dirs() {
    local name=$1 c
    for c in /sys/fs/cgroup/*/"$name" /sys/fs/cgroup/"$name"; do
        [ -d "$c" ] || continue
        find "$c" -depth -type d -exec rmdir {} \; 2>/dev/null
    done
}

# Engines create fixed host directories (/run/containerd/s, /run/docker, ...) whatever their
# private roots say. note_new_paths records the ones that do not exist yet; remove_new_paths
# deletes those at the end (deepest first) if they are empty again.
NEW_PATHS=()
note_new_paths() {
    local p
    for p in "$@"; do [ -e "$p" ] || NEW_PATHS+=("$p"); done
}
remove_new_paths() {
    local p
    for p in $(printf '%s\n' "${NEW_PATHS[@]}" | awk '{print length, $0}' | sort -rn | cut -d' ' -f2-); do
        rm -f "$p/blob-info-cache-v1.boltdb"
        rmdir "$p" 2>/dev/null # never a non-empty directory: it may be someone else's
    done
}

# cap_mask NAME...: hex capability mask for capability numbers.
cap_mask() {
    local m=0 n
    for n in "$@"; do m=$((m | (1 << n))); done
    printf '%016x' "$m"
}

host_hard_nofile() { ulimit -Hn; }

# start_private_dockerd CLIENT_CMD: a dockerd of the suite's own (config, data, exec root, socket and pid file
# in $WORK, no bridge or iptables, containers under /$CGPARENT); waits up to 30 s until CLIENT_CMD answers.
# Returns non-zero when it does not.
start_private_dockerd() {
    "$DOCKERD" --config-file "$WORK/daemon.json" --data-root "$WORK/data" --exec-root "$WORK/exec" \
        --pidfile "$WORK/docker.pid" -H "unix://$SOCK" --bridge=none --iptables=false --ip6tables=false \
        --ip-forward=false --ip-masq=false --userland-proxy=false --exec-opt native.cgroupdriver=cgroupfs \
        --cgroup-parent "/$CGPARENT" --storage-driver overlay2 >"$WORK/dockerd.log" 2>&1 &
    for _ in $(seq 1 150); do
        $1 version >/dev/null 2>&1 && return 0
        sleep 0.2
    done
    $1 version >/dev/null 2>&1
}

# stop_private_dockerd CLIENT_CMD: removes the daemon's containers, then stops it and its containerd.
stop_private_dockerd() {
    local ids
    ids=$($1 ps -aq 2>/dev/null)
    [ -n "$ids" ] && timeout -s KILL 60 $1 rm -f $ids >/dev/null 2>&1
    stop_pid "$WORK/docker.pid"
    stop_pid "$WORK/exec/containerd/containerd.pid"
}

# release_work: the end of a script's cleanup: processes, mounts and cgroups of $WORK and $CGPARENT, the
# engines' fixed paths it noted, then $WORK itself.
release_work() {
    kill_pids_matching "$WORK/"
    unmount_under "$WORK"
    remove_cgroup_dirs "$CGPARENT"
    remove_new_paths
    rm -rf "$WORK"
}
