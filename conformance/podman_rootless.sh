#!/bin/bash
# Rootless Podman end to end with an OCI runtime, as an unprivileged user this script makes and removes.
#
#   RUNTIME=/path/to/agentrt conformance/podman_rootless.sh      (as root; run it with runc first)
#
# The user gets subordinate id ranges (/etc/subuid, /etc/subgid), its own $XDG_RUNTIME_DIR, storage and
# containers.conf; every trace (passwd, shadow, group, subuid, subgid, home, processes) goes at exit. Checks:
# run, exec, run -t, stop, rm, and --pids-limit where the user has a delegated cgroup v2 subtree (the nested
# kernel); on a v1 or hybrid host rootless Podman has no cgroup to put a limit in, so that check is skipped.
# Network: Podman's default rootless network (slirp4netns, which needs /dev/net/tun usable by the user, as
# Debian's udev rule makes it: this script sets mode 0666 for its run if it is not, and puts the mode back)
# is a network namespace Podman makes and the runtime must join by path: a tap device, the host's loopback
# through slirp4netns's allow_host_loopback (10.0.2.2), and a port published with -p reached from the host.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/common.sh"

RUNTIME=$(readlink -f "${RUNTIME:?set RUNTIME=/path/to/runtime}")
PODMAN=/usr/bin/podman
NAME=podman-rl
HOMEDIR=/tmp/$NAME-home
SUBIDS=2200000:65536
CG=/sys/fs/cgroup/$NAME
TUN=/dev/net/tun
TUN_MODE=
LISTENER_PID=

remove_user() {
    if id "$NAME" >/dev/null 2>&1; then
        kill_pids_matching "$HOMEDIR/"
        local uid p
        uid=$(id -u "$NAME")
        # Only processes of the user this script made (conmon, catatonit, pause).
        for p in $(ps -o pid= -u "$uid" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
        sleep 0.5
        unmount_under "$HOMEDIR"
        userdel --remove "$NAME" >/dev/null 2>&1
    fi
    sed -i "/^$NAME:/d" /etc/subuid /etc/subgid
    rm -rf "$HOMEDIR"
    [ -d "$CG" ] && find "$CG" -depth -type d -exec rmdir {} \; 2>/dev/null
}
cleanup() {
    [ -n "$LISTENER_PID" ] && stop_pid "$LISTENER_PID"
    remove_user
    [ -n "$TUN_MODE" ] && chmod "$TUN_MODE" "$TUN"
    local left
    left=$(grep -l "^$NAME:" /etc/passwd /etc/shadow /etc/group /etc/subuid /etc/subgid 2>/dev/null)
    [ -n "$left" ] && echo "# traces of $NAME left in: $left" >&2
}
trap cleanup EXIT
trap 'exit 130' INT TERM

remove_user
useradd --create-home --home-dir "$HOMEDIR" --shell /bin/sh --user-group "$NAME" || exit 1
sed -i "/^$NAME:/d" /etc/subuid /etc/subgid
echo "$NAME:$SUBIDS" >>/etc/subuid
echo "$NAME:$SUBIDS" >>/etc/subgid
USER_ID=$(id -u "$NAME")
GROUP_ID=$(id -g "$NAME")
XDG=$HOMEDIR/xdg
mkdir -p "$XDG" "$HOMEDIR/.config/containers" "$HOMEDIR/tmp"
chmod 700 "$XDG"
cat >"$HOMEDIR/.config/containers/containers.conf" <<EOF
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
runtime = "custom"
# Podman passes --cgroups=disabled only to a runtime named here (by its name or its file's).
runtime_supports_nocgroup = ["custom", "$(basename "$RUNTIME")"]
[engine.runtimes]
custom = ["$RUNTIME"]
EOF
cat >"$HOMEDIR/.config/containers/storage.conf" <<EOF
[storage]
driver = "vfs"
graphroot = "$HOMEDIR/storage"
runroot = "$XDG/containers"
EOF
chown -R "$USER_ID:$GROUP_ID" "$HOMEDIR"

# With a delegated cgroup v2 subtree (the nested kernel), the user's commands start in it as a login
# session would; on v1/hybrid they stay where they are.
DELEGATED=0
if [ -f /sys/fs/cgroup/cgroup.controllers ] && grep -qw pids /sys/fs/cgroup/cgroup.subtree_control; then
    mkdir -p "$CG/session"
    echo "+pids +memory" >"$CG/cgroup.subtree_control"
    chown "$USER_ID:$GROUP_ID" "$CG" "$CG/cgroup.procs" "$CG/cgroup.subtree_control" "$CG/cgroup.threads"
    chown -R "$USER_ID:$GROUP_ID" "$CG/session"
    DELEGATED=1
fi

# U CMD...: CMD as the user, with a login-like environment.
U() {
    local move=:
    [ "$DELEGATED" = 1 ] && move="echo \$\$ >$CG/session/cgroup.procs"
    sh -c "$move && exec \"\$@\"" sh setpriv --reuid "$USER_ID" --regid "$GROUP_ID" --clear-groups \
        env -i HOME="$HOMEDIR" USER="$NAME" LOGNAME="$NAME" PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin \
        XDG_RUNTIME_DIR="$XDG" TMPDIR="$HOMEDIR/tmp" "$@"
}
P() { (cd "$HOMEDIR" && U "$PODMAN" --runtime "$RUNTIME" "$@"); }
IMG=localhost/rootless/busybox:latest

make_rootfs "$HOMEDIR/rootfs"
chown -R "$USER_ID:$GROUP_ID" "$HOMEDIR/rootfs"
out=$(tar -C "$HOMEDIR/rootfs" -c . | P import --change 'CMD ["/bin/sh"]' - "$IMG" 2>&1)
if [ $? -ne 0 ]; then
    fail "podman import of the busybox rootfs (rootless)" "$out"
    summary
    exit 1
fi
expect_match "rootless podman uses the given runtime" "$(basename "$RUNTIME")" \
    "$(P info --format '{{.Host.OCIRuntime.Path}}' 2>&1)"
expect_eq "rootless podman info: rootless" "true" "$(P info --format '{{.Host.Security.Rootless}}' 2>&1)"

expect_eq "run: output and exit" "hello" "$(P run --rm --network none "$IMG" echo hello 2>&1)"
P run --rm --network none "$IMG" sh -c 'exit 7' >/dev/null 2>&1
expect_eq "run: exit code" "7" "$?"
# Container root is the user: uid 0 inside maps to the user's uid outside.
expect_match "run: container root is the user" "^ *0 +$USER_ID +1" \
    "$(P run --rm --network none "$IMG" cat /proc/self/uid_map 2>&1 | head -1)"

out=$(P run -d --name rl1 --network none "$IMG" sleep 300 2>&1)
expect_eq "run -d: running" "running" "$(P inspect --format '{{.State.Status}}' rl1 2>&1)"
expect_eq "exec" "exec-ok" "$(P exec rl1 echo exec-ok 2>&1)"
expect_eq "exec: sees the container's init" "sleep" "$(P exec rl1 cat /proc/1/comm 2>&1)"
expect_match "run -t: a terminal" "^/dev/pts/[0-9]+" "$(P run --rm -t --network none "$IMG" tty 2>&1 | tr -d '\r')"
expect_match "exec -t: a terminal" "^/dev/pts/[0-9]+" "$(P exec -t rl1 tty 2>&1 | tr -d '\r')"
P stop -t 2 rl1 >/dev/null 2>&1
expect_eq "stop: exited" "exited" "$(P inspect --format '{{.State.Status}}' rl1 2>&1)"
P rm rl1 >/dev/null 2>&1
expect_eq "rm: gone" "" "$(P ps -a --format '{{.Names}}' --filter name=rl1 2>&1)"

# free_port: a TCP port nobody listens on at 127.0.0.1 now.
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# until_answers URL: the host's client until URL answers (10 s at most); prints the answer.
until_answers() {
    local i out
    for i in $(seq 1 50); do
        out=$(python3 -c 'import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1], timeout=2).read().decode().strip())' \
            "$1" 2>/dev/null) && { echo "$out"; return 0; }
        sleep 0.2
    done
    return 1
}

network_checks() {
    expect_match "default network: the container has slirp4netns's tap device" "tap0" \
        "$(P run --rm "$IMG" cat /proc/net/dev 2>&1)"
    expect_match "default network: slirp4netns's address on it" "inet 10\.0\.2\.100/24" \
        "$(P run --rm "$IMG" ip -o -4 addr show tap0 2>&1)"

    local port
    port=$(free_port)
    # A listener on the host's loopback that greets every connection.
    python3 -c 'import socket, sys
s = socket.socket()
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(8)
while True:
    c, _ = s.accept()
    c.sendall(b"host-listener\n")
    c.close()' "$port" >/dev/null 2>&1 &
    LISTENER_PID=$!
    for i in $(seq 1 50); do
        [ "$(busybox nc 127.0.0.1 "$port" </dev/null 2>/dev/null)" = host-listener ] && break
        sleep 0.2
    done
    expect_eq "host loopback: 127.0.0.1 of the host through 10.0.2.2 (allow_host_loopback)" "host-listener" \
        "$(P run --rm --network slirp4netns:allow_host_loopback=true "$IMG" nc -w 10 10.0.2.2 "$port" </dev/null 2>&1)"
    # The control: without the option slirp4netns keeps the host's loopback closed.
    out=$(P run --rm "$IMG" nc -w 5 10.0.2.2 "$port" </dev/null 2>&1)
    expect_nomatch "host loopback: closed without allow_host_loopback" "host-listener" "$out"
    stop_pid "$LISTENER_PID"
    LISTENER_PID=

    port=$(free_port)
    out=$(P run -d --name rlnet -p "127.0.0.1:$port:8080" "$IMG" \
        sh -c 'mkdir -p /www && echo published >/www/index.html && exec httpd -f -p 8080 -h /www' 2>&1)
    expect_eq "-p: the host reaches the container's published port" "published" \
        "$(until_answers "http://127.0.0.1:$port/")"
    local pid key
    pid=$(P inspect --format '{{.State.Pid}}' rlnet 2>/dev/null)
    key=$(P inspect --format '{{.NetworkSettings.SandboxKey}}' rlnet 2>/dev/null)
    # The netns file is a bind mount in Podman's own mount namespace, so it is read from there.
    expect_eq "the container's init is in the network namespace Podman made ($key)" \
        "$(P unshare stat -L -c 'net:[%i]' "$key" 2>&1)" "$(readlink "/proc/$pid/ns/net" 2>&1)"
    expect_eq "exec: joins the container's network namespace" "$(readlink "/proc/$pid/ns/net" 2>&1)" \
        "$(P exec rlnet readlink /proc/self/ns/net 2>&1)"
    P rm -f -t 0 rlnet >/dev/null 2>&1
}

# A kernel with tun as a module (the nested kernel) has no /dev/net/tun until the module is loaded, by the
# kernel's own modprobe helper (the nested kernel's modules are not under the host's /lib/modules).
[ -c "$TUN" ] || "$(cat /proc/sys/kernel/modprobe)" tun 2>/dev/null
if ! command -v slirp4netns >/dev/null; then
    skip "default network (slirp4netns)" "slirp4netns is not installed (apt-get install slirp4netns)"
elif [ ! -c "$TUN" ]; then
    skip "default network (slirp4netns)" "this kernel has no $TUN"
else
    # Debian's udev rule gives /dev/net/tun mode 0666; a host without udev leaves it 0600.
    if ! U test -r "$TUN" -a -w "$TUN"; then
        TUN_MODE=$(stat -c %a "$TUN")
        chmod 0666 "$TUN"
    fi
    network_checks
fi

# --cgroups=disabled: Podman passes --cgroup-manager disabled, and the container gets no cgroup of its own.
nocgroup_checks() {
    expect_eq "--cgroups=disabled: run" "hello" "$(P run --rm --cgroups=disabled --network none "$IMG" echo hello 2>&1)"
    out=$(P run -d --name rlnc --cgroups=disabled --network none "$IMG" sleep 300 2>&1)
    expect_eq "--cgroups=disabled: running" "running" "$(P inspect --format '{{.State.Status}}' rlnc 2>&1)"
    local cid pid
    cid=$(P inspect --format '{{.Id}}' rlnc 2>/dev/null)
    pid=$(P inspect --format '{{.State.Pid}}' rlnc 2>/dev/null)
    expect_nomatch "--cgroups=disabled: no cgroup made for the container" "$cid" "$(cat "/proc/$pid/cgroup" 2>&1)"
    expect_eq "--cgroups=disabled: exec" "exec-ok" "$(P exec rlnc echo exec-ok 2>&1)"
    P stop -t 2 rlnc >/dev/null 2>&1
    expect_eq "--cgroups=disabled: stop" "exited" "$(P inspect --format '{{.State.Status}}' rlnc 2>&1)"
    P rm rlnc >/dev/null 2>&1
    expect_eq "--cgroups=disabled: rm" "" "$(P ps -a --format '{{.Names}}' --filter name=rlnc 2>&1)"
    out=$(P run --rm --cgroups=disabled --network none --pids-limit 16 "$IMG" true 2>&1)
    local rc=$?
    if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
        # cgroup v2: the limit reaches the runtime, which has no cgroup to put it in.
        expect_match "--cgroups=disabled with --pids-limit: refused" "^[1-9][0-9]*$" "$rc"
        expect_match "--cgroups=disabled with --pids-limit: the error names the limit" "pids" "$out"
    else
        # v1/hybrid: rootless Podman drops every limit itself, with this warning, before the runtime runs.
        expect_eq "--cgroups=disabled with --pids-limit (v1): Podman runs it without the limit" "0" "$rc"
        expect_match "--cgroups=disabled with --pids-limit (v1): Podman's warning" \
            "Resource limits are not supported and ignored on cgroups V1 rootless systems" "$out"
    fi
    expect_eq "--cgroups=disabled with --pids-limit: no container left" "" \
        "$(P ps -a --format '{{.Names}}' 2>&1)"
}

if "$RUNTIME" --cgroup-manager disabled --help 2>&1 | grep -q "flag provided but not defined"; then
    skip "--cgroups=disabled" "$(basename "$RUNTIME") has no --cgroup-manager, which Podman passes for it"
else
    nocgroup_checks
fi

if [ "$DELEGATED" = 1 ]; then
    P run -d --name rl2 --network none --pids-limit 16 "$IMG" \
        sh -c '(i=0; while [ $i -lt 64 ]; do sleep 300 & i=$((i+1)); done) 2>/dev/null; exec sleep 300' >/dev/null 2>&1
    cid=$(P inspect --format '{{.Id}}' rl2 2>/dev/null)
    dir=$(find "$CG" -type d -name "*$cid*" 2>/dev/null | head -1)
    expect_match "--pids-limit: the container's cgroup is in the user's subtree" "$cid" "$dir"
    expect_eq "--pids-limit: pids.max" "16" "$(cat "$dir/pids.max" 2>&1)"
    for i in $(seq 1 60); do
        [ "$(awk '$1 == "max" {print $2}' "$dir/pids.events" 2>/dev/null)" -gt 0 ] 2>/dev/null && break
        sleep 1
    done
    # 16 while the bomb's subshell runs, 15 once its refused fork ended it.
    expect_match "--pids-limit: the fork bomb stops at the limit" "^1[56]$" "$(cat "$dir/pids.current" 2>&1)"
    P rm -f -t 0 rl2 >/dev/null 2>&1
else
    skip "--pids-limit" "rootless Podman has no cgroup for limits on a v1/hybrid host (run in tests/v2vm)"
fi
P rm -af -t 0 >/dev/null 2>&1
summary
[ "$FAIL" -eq 0 ]
