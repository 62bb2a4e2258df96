# End-to-end checks shared by docker.sh and podman.sh (their CLIs are compatible).
# The caller defines:
#   ENGINE_CMD  the engine client with its private connection flags (a string, no spaces in paths)
#   RUN_OPTS    options for every `run` (runtime selection, --network none)
#   IMG         the imported busybox image
#   TMP         a scratch directory
#   ENGINE      docker or podman, for the few documented engine differences
#   ULIMIT_EXTRA extra --ulimit options needed with every --ulimit (podman: nproc pinned)
#   AGENT_POLICY 1 when the runtime applies an agent profile floor (caps, seccomp, no_new_privs)
# and sources lib/common.sh first.

E() { $ENGINE_CMD "$@"; }
R() { timeout -s KILL 120 $ENGINE_CMD run --rm $RUN_OPTS "$@"; }

# Docker's default capability set: CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID SETPCAP
# NET_BIND_SERVICE NET_RAW SYS_CHROOT MKNOD AUDIT_WRITE SETFCAP.
DEFAULT_CAPS=$(cap_mask 0 1 3 4 5 6 7 8 10 13 18 27 29 31)

host_cgroup_file() { # CONTAINER CONTROLLER FILE
    local pid path
    pid=$(E inspect -f '{{.State.Pid}}' "$1")
    path=$(awk -F: -v c="$2" '$2 == c {print $3}' "/proc/$pid/cgroup")
    cat "/sys/fs/cgroup/$2$path/$3" 2>&1
}

checks_run() {
    local out rc

    R "$IMG" sh -c 'exit 7'
    expect_eq "run: exit code is the process exit code" 7 "$?"

    out=$(R "$IMG" sh -c 'echo to-out; echo to-err >&2' 2>"$TMP/err")
    expect_eq "run: stdout" "to-out" "$out"
    expect_eq "run: stderr" "to-err" "$(cat "$TMP/err")"

    out=$(echo from-stdin | R -i "$IMG" cat)
    expect_eq "run -i: stdin reaches the process" "from-stdin" "$out"

    out=$(script -qec "timeout --foreground -s KILL 60 $ENGINE_CMD run --rm -t $RUN_OPTS $IMG sh -c '[ -t 0 ] && [ -t 1 ] && echo is-tty; tty'" /dev/null </dev/null | tr -d '\r')
    expect_match "run -t: stdio is a pty" "is-tty" "$out"
    expect_match "run -t: tty is /dev/pts/N" "^/dev/pts/[0-9]+" "$(echo "$out" | tail -1)"

    out=$(R -e FOO=bar -e 'SPACED=a b' "$IMG" env)
    expect_match "run -e: variable set" "^FOO=bar$" "$out"
    expect_match "run -e: value with spaces" "^SPACED=a b$" "$out"
    expect_match "run: PATH set" "^PATH=" "$out"

    expect_eq "run --hostname" "conf-host" "$(R --hostname conf-host "$IMG" hostname)"
    expect_eq "run -w: working directory" "/tmp" "$(R -w /tmp "$IMG" pwd)"
    if [ "$ENGINE" = podman ]; then
        skip "run -w: missing working directory is created" "podman refuses a -w that is not in the image"
    else
        expect_eq "run -w: missing working directory is created" "/new/dir" "$(R -w /new/dir "$IMG" pwd)"
    fi

    out=$(R --user 1000:1000 "$IMG" sh -c 'id -u; id -g' | tr '\n' ' ')
    expect_eq "run --user uid:gid" "1000 1000 " "$out"
    out=$(R --user conf --group-add 30 "$IMG" sh -c 'id -u; grep ^Groups: /proc/self/status')
    expect_match "run --user name: uid from /etc/passwd" "^1000$" "$(echo "$out" | head -1)"
    expect_match "run --user: supplementary groups from /etc/group" "Groups:.*\b10\b.*\b2000\b" "$out"
    expect_match "run --group-add: extra group" "Groups:.*\b30\b" "$out"

    expect_eq "run: pid namespace, process is pid 1" "1" "$(R "$IMG" sh -c 'echo $$')"
    expect_eq "run --pid=host: host pid namespace" "$(readlink /proc/self/ns/pid)" \
        "$(R --pid=host "$IMG" readlink /proc/self/ns/pid)"
    out=$(R "$IMG" readlink /proc/self/ns/pid)
    if [ "$out" != "$(readlink /proc/self/ns/pid)" ] && [ -n "$out" ]; then
        pass "run: private pid namespace"
    else fail "run: private pid namespace" "got '$out'"; fi

    out=$(R "$IMG" sh -c 'for d in null zero full random urandom; do (: </dev/$d) 2>&- && echo $d; done; (echo x >/dev/null) 2>&- && echo null-w')
    expect_eq "run: default devices usable (device cgroup allows them)" "null zero full random urandom null-w" "$(echo $out)"

    out=$(R "$IMG" sh -c 'wc -c </proc/keys; wc -c </proc/timer_list; ls /proc/acpi 2>/dev/null | wc -l')
    expect_eq "run: masked paths read empty" "0 0 0" "$(echo $out)"
    out=$(R "$IMG" sh -c '{ echo x >/proc/sysrq-trigger; } 2>/dev/null && echo writable; awk "\$5 == \"/proc/sys\" {print \$6}" /proc/self/mountinfo')
    expect_match "run: readonly paths (/proc/sys ro, sysrq-trigger not writable)" "^ro" "$out"

    out=$(R "$IMG" awk '/^CapEff/ {print $2}' /proc/self/status)
    if [ "$AGENT_POLICY" = 1 ]; then
        if [ -n "$out" ] && [ $((0x$out & ~0x$DEFAULT_CAPS)) -eq 0 ]; then
            pass "run: default capabilities (agent floor: subset of docker's)"
        else fail "run: default capabilities (agent floor: subset of docker's)" "CapEff $out not within $DEFAULT_CAPS"; fi
    else
        expect_eq "run: default capabilities" "$DEFAULT_CAPS" "$out"
    fi
    out=$(R --cap-drop=ALL --cap-add=CHOWN "$IMG" awk '/^Cap(Eff|Bnd)/ {print $2}' /proc/self/status | tr '\n' ' ')
    expect_eq "run --cap-drop=ALL --cap-add=CHOWN" "$(cap_mask 0) $(cap_mask 0) " "$out"
    out=$(R --cap-drop=CHOWN "$IMG" sh -c 'chown 1 /tmp 2>/dev/null && echo chowned || echo denied')
    expect_eq "run --cap-drop=CHOWN: chown denied" "denied" "$out"
    out=$(R "$IMG" sh -c 'ip link set lo mtu 1400 2>/dev/null && echo changed || echo denied')
    expect_eq "run: NET_ADMIN not granted by default" "denied" "$out"
    out=$(R --cap-add=NET_ADMIN "$IMG" sh -c 'ip link set lo mtu 1400 && echo changed || echo denied')
    if [ "$AGENT_POLICY" = 1 ]; then
        expect_eq "run --cap-add=NET_ADMIN: dropped by the agent floor" "denied" "$out"
    else
        expect_eq "run --cap-add=NET_ADMIN: interface change allowed" "changed" "$out"
    fi

    out=$(R "$IMG" awk '/^Seccomp:/ {print $2}' /proc/self/status)
    expect_eq "run: default seccomp profile installed" "2" "$out"
    if [ "$ENGINE" = podman ]; then
        skip "run: default seccomp blocks unshare(CLONE_NEWUSER)" "podman's default profile allows user namespaces"
    else
        out=$(R "$IMG" sh -c 'unshare -U true 2>/dev/null && echo allowed || echo blocked')
        expect_eq "run: default seccomp blocks unshare(CLONE_NEWUSER)" "blocked" "$out"
    fi
    out=$(R --security-opt seccomp=unconfined "$IMG" awk '/^Seccomp:/ {print $2}' /proc/self/status)
    if [ "$AGENT_POLICY" = 1 ]; then
        expect_eq "run seccomp=unconfined: agent floor filter stays installed" "2" "$out"
    else
        expect_eq "run seccomp=unconfined: no filter" "0" "$out"
    fi

    out=$(R --read-only --tmpfs /tmp:rw,size=1m "$IMG" sh -c \
        'touch /x 2>/dev/null && echo root-writable || echo root-ro; touch /tmp/x && echo tmp-ok; awk "\$5 == \"/tmp\" {print \$9}" /proc/self/mountinfo')
    expect_eq "run --read-only --tmpfs" "root-ro tmp-ok tmpfs" "$(echo $out)"

    mkdir -p "$TMP/bind"
    echo host-data >"$TMP/bind/in"
    out=$(R -v "$TMP/bind:/data:ro" "$IMG" sh -c 'cat /data/in; touch /data/new 2>/dev/null && echo writable || echo ro')
    expect_eq "run -v host:ctr:ro: readable, not writable" "host-data ro" "$(echo $out)"
    R -v "$TMP/bind:/data:rw" "$IMG" sh -c 'echo from-ctr >/data/out' >/dev/null
    expect_eq "run -v host:ctr:rw: write reaches the host" "from-ctr" "$(cat "$TMP/bind/out" 2>&1)"

    out=$(R --ulimit nofile=512:1024 $ULIMIT_EXTRA "$IMG" sh -c 'ulimit -n; ulimit -Hn')
    expect_eq "run --ulimit nofile=512:1024" "512 1024" "$(echo $out)"

    # A config the kernel refuses must fail the run with the runtime's own message reaching the user.
    out=$(R --ulimit nofile=2000000000:2000000000 $ULIMIT_EXTRA "$IMG" true 2>&1)
    rc=$?
    case "$(basename "$RUNTIME")" in
        agentrt*) want="process.rlimits: setrlimit RLIMIT_NOFILE" ;;
        *) want="rlimit" ;;
    esac
    if [ $rc -ne 0 ] && [[ "$out" == *"$want"* ]]; then
        pass "run --ulimit beyond the kernel's limit: fails with the runtime's message"
    else
        fail "run --ulimit beyond the kernel's limit: fails with the runtime's message" "exit $rc, no '$want' in: $(echo "$out" | tail -2)"
    fi

    out=$(R --sysctl net.ipv4.ip_forward=1 --sysctl kernel.shm_rmid_forced=1 "$IMG" \
        cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shm_rmid_forced)
    expect_eq "run --sysctl (net and ipc)" "1 1" "$(echo $out)"

    out=$(R --device /dev/fuse:/dev/conffuse "$IMG" sh -c 'stat -c "%F %t:%T" /dev/conffuse; (: </dev/conffuse) && echo open-ok')
    expect_eq "run --device: node created and usable" "character special file a:e5 open-ok" "$(echo $out)"
    out=$(R --cap-add MKNOD "$IMG" sh -c 'if mknod /tmp/f c 10 229 2>&-; then (: </tmp/f) 2>&- && echo opened || echo denied; else echo denied; fi')
    expect_eq "run: device cgroup denies a device not passed with --device" "denied" "$out"

    out=$(R --memory 64m "$IMG" cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>&1)
    expect_eq "run --memory: limit visible in the container cgroup" "67108864" "$out"

    E rm -f conf-oom >/dev/null 2>&1
    timeout -s KILL 120 $ENGINE_CMD run --name conf-oom $RUN_OPTS --memory 16m --memory-swap 16m "$IMG" \
        sh -c 'x=a; i=0; while [ $i -lt 27 ]; do x="$x$x"; i=$((i+1)); done; echo survived' >"$TMP/oom.out" 2>&1
    rc=$?
    expect_eq "run --memory: OOM kill exit code" "137" "$rc"
    expect_eq "run --memory: inspect reports OOMKilled" "true" "$(E inspect -f '{{.State.OOMKilled}}' conf-oom 2>&1)"
    E rm -f conf-oom >/dev/null 2>&1

    out=$(R --pids-limit 8 "$IMG" sh -c 'cat /sys/fs/cgroup/pids/pids.max; (for i in $(seq 20); do sleep 3 & done) 2>&-; cat /sys/fs/cgroup/pids/pids.current; cut -d" " -f2 /sys/fs/cgroup/pids/pids.events')
    set -- $out
    expect_eq "run --pids-limit: pids.max" "8" "${1:-}"
    if [ -n "${2:-}" ] && [ "$2" -le 8 ] && [ "${3:-0}" -gt 0 ]; then
        pass "run --pids-limit: enforced (forks refused)"
    else fail "run --pids-limit: enforced (forks refused)" "pids.current=${2:-?} max-events=${3:-?}"; fi
}

wait_status() { # CONTAINER STATUS
    local i
    for i in $(seq 1 50); do
        [ "$(E inspect -f '{{.State.Status}}' "$1" 2>/dev/null)" = "$2" ] && return 0
        sleep 0.2
    done
    return 1
}

checks_detached() {
    local c=conf-detached out rc started1 started2
    E rm -f "$c" >/dev/null 2>&1
    out=$(timeout -s KILL 60 $ENGINE_CMD run -d --name "$c" $RUN_OPTS --memory 64m "$IMG" \
        sh -c 'trap "echo got-usr1" USR1; echo started; while :; do sleep 0.2; done' 2>&1)
    rc=$?
    expect_eq "run -d: exit code" 0 "$rc"
    if ! wait_status "$c" running; then
        fail "run -d: container running" "status $(E inspect -f '{{.State.Status}}' "$c" 2>&1) $out"
        E rm -f "$c" >/dev/null 2>&1
        return
    fi
    pass "run -d: container running"

    expect_match "ps: lists the container" "^$c$" "$(E ps --format '{{.Names}}')"
    sleep 0.3
    expect_match "logs: shows output" "^started$" "$(E logs "$c" 2>&1)"
    expect_eq "exec: output" "hi" "$(E exec "$c" echo hi)"
    E exec "$c" sh -c 'exit 5'
    expect_eq "exec: exit code" "5" "$?"
    expect_eq "exec -u 1000" "1000" "$(E exec -u 1000 "$c" id -u)"
    expect_eq "exec -w /tmp" "/tmp" "$(E exec -w /tmp "$c" pwd)"
    expect_eq "exec -e" "val" "$(E exec -e XV=val "$c" sh -c 'echo $XV')"
    expect_eq "exec -i: stdin" "piped" "$(echo piped | E exec -i "$c" cat)"
    out=$(script -qec "timeout --foreground -s KILL 30 $ENGINE_CMD exec -t $c sh -c '[ -t 1 ] && echo is-tty'" /dev/null </dev/null | tr -d '\r')
    expect_match "exec -t: pty" "is-tty" "$out"
    out=$(E exec "$c" sh -c 'readlink /proc/1/ns/pid; readlink /proc/self/ns/pid' | sort -u | wc -l)
    expect_eq "exec: joins the container pid namespace" "1" "$out"
    expect_match "top: lists container processes" "sleep|sh -c" "$(E top "$c" 2>&1)"

    E pause "$c" >/dev/null 2>&1
    expect_eq "pause: status paused" "paused" "$(E inspect -f '{{.State.Status}}' "$c")"
    E unpause "$c" >/dev/null 2>&1
    expect_eq "unpause: status running" "running" "$(E inspect -f '{{.State.Status}}' "$c")"

    E kill -s USR1 "$c" >/dev/null 2>&1
    sleep 1
    expect_match "kill -s USR1: signal delivered" "got-usr1" "$(E logs "$c" 2>&1)"

    E update --memory 128m --memory-swap 256m "$c" >"$TMP/update.out" 2>&1
    rc=$?
    if [ $rc -ne 0 ] && grep -qiE "not supported|unknown command|cgroup v2|cgroupv2" "$TMP/update.out"; then
        skip "update --memory: cgroup limit changed" "engine: $(head -c 200 "$TMP/update.out" | tr "\n" " ")"
    else
        expect_eq "update --memory: cgroup limit changed" "134217728" "$(host_cgroup_file "$c" memory memory.limit_in_bytes)"
    fi
    E update --pids-limit 50 "$c" >"$TMP/update.out" 2>&1
    rc=$?
    if [ $rc -ne 0 ] && grep -qiE "not supported|unknown (command|flag)|cgroup v2|cgroupv2" "$TMP/update.out"; then
        skip "update --pids-limit: cgroup limit changed" "engine: $(head -c 200 "$TMP/update.out" | tr "\n" " ")"
    else
        expect_eq "update --pids-limit: cgroup limit changed" "50" "$(host_cgroup_file "$c" pids pids.max)"
    fi

    out=$(timeout -s KILL 60 $ENGINE_CMD stats --no-stream --format '{{.Name}} {{.MemUsage}}' "$c" 2>&1)
    expect_match "stats --no-stream: memory usage reported" "$c [0-9.]+ ?[kKMG]i?B" "$out"

    started1=$(E inspect -f '{{.State.StartedAt}}' "$c")
    E restart -t 1 "$c" >/dev/null 2>&1
    wait_status "$c" running
    started2=$(E inspect -f '{{.State.StartedAt}}' "$c")
    if [ "$(E inspect -f '{{.State.Status}}' "$c")" = running ] && [ "$started1" != "$started2" ]; then
        pass "restart: running again with a new start time"
    else fail "restart: running again with a new start time" "status $(E inspect -f '{{.State.Status}}' "$c"), $started1 -> $started2"; fi

    E stop -t 1 "$c" >/dev/null 2>&1
    expect_eq "stop: status exited" "exited" "$(E inspect -f '{{.State.Status}}' "$c")"
    expect_eq "stop: pid 1 without a TERM handler is killed after the timeout" "137" "$(E inspect -f '{{.State.ExitCode}}' "$c")"

    E start "$c" >/dev/null 2>&1
    wait_status "$c" running
    local pid cg
    pid=$(E inspect -f '{{.State.Pid}}' "$c")
    cg=$(awk -F: '$2 == "memory" {print $3}' "/proc/$pid/cgroup" 2>/dev/null)
    E rm -f "$c" >/dev/null 2>&1
    expect_nomatch "rm -f: container gone" "^$c$" "$(E ps -a --format '{{.Names}}')"
    if [ -n "$cg" ] && [ ! -d "/sys/fs/cgroup/memory$cg" ]; then
        pass "rm -f: container cgroup removed"
    else fail "rm -f: container cgroup removed" "cgroup '$cg' still present or unknown"; fi
}
