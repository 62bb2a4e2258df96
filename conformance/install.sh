#!/bin/bash
# End to end: the .deb built with CPack, installed with apt, `agentrt install` for a private dockerd and for
# Podman (private storage and containers.conf), `agentrt uninstall`, and `apt remove`.
#
#   conformance/install.sh BUILD_DIR
#
# BUILD_DIR is a configured build tree of this repo (agentrt and agentrt_docs are built in it). Needs root,
# docker.io, podman, containerd, lintian, man-db and bash-completion. The host is left as found: the package is purged and every daemon,
# container and file of the run is removed.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/common.sh"

BUILD=$(readlink -f "${1:?usage: conformance/install.sh BUILD_DIR}")
DOCKER=/usr/bin/docker
DOCKERD=/usr/sbin/dockerd
PODMAN=/usr/bin/podman
BIN=/usr/bin/agentrt

for tool in "$DOCKERD" "$PODMAN" /usr/bin/lintian /usr/bin/man /usr/bin/cpack; do
    if [ ! -x "$tool" ]; then
        echo "not ok - $tool is missing (install docker.io podman lintian man-db cmake)"
        echo "0 passed, 1 failed"
        exit 1
    fi
done
if dpkg -s agentrt >/dev/null 2>&1 || [ -e "$BIN" ]; then
    echo "not ok - agentrt is already installed on this host ($BIN or the package); this leg would replace it"
    echo "0 passed, 1 failed"
    exit 1
fi

WORK=$(mktemp -d /tmp/agentrt-install-XXXXXX)
CGPARENT=agentrt-install-docker-$$
SOCK=$WORK/docker.sock
DOCKER_CMD="$DOCKER -H unix://$SOCK"
IMG=conformance/busybox:latest
PODMAN_CMD="$PODMAN --root $WORK/podman-root --runroot $WORK/podman-runroot --cgroup-manager cgroupfs --events-backend file --tmpdir $WORK/libpodtmp"
PODMAN_IMG=localhost/conformance/busybox:latest
mkdir -p "$WORK/data" "$WORK/exec" "$WORK/pkg" "$WORK/podman-root" "$WORK/podman-runroot" "$WORK/libpodtmp"

note_new_paths /run/docker /run/docker/plugins /run/containerd /run/containerd/s /run/containerd/fifo \
    /var/lib/containers /var/lib/containers/cache /run/containers /run/containers/networks
cleanup() {
    local ids
    ids=$($DOCKER_CMD ps -aq 2>/dev/null)
    [ -n "$ids" ] && timeout -s KILL 60 $DOCKER_CMD rm -f $ids >/dev/null 2>&1
    stop_pid "$WORK/docker.pid"
    stop_pid "$WORK/exec/containerd/containerd.pid"
    CONTAINERS_CONF=$WORK/containers.conf CONTAINERS_STORAGE_CONF=$WORK/storage.conf \
        timeout -s KILL 60 $PODMAN_CMD rm -af -t 0 >/dev/null 2>&1
    kill_pids_matching "$WORK/"
    unmount_under "$WORK"
    remove_cgroup_dirs "$CGPARENT"
    remove_cgroup_dirs "agentrt-install-podman-$$"
    dpkg -s agentrt >/dev/null 2>&1 && apt-get purge -y agentrt >/dev/null 2>&1
    remove_new_paths
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
cd "$WORK" || exit 1

# --- the package ---------------------------------------------------------------------------------------------
if ! out=$(cmake --build "$BUILD" --target agentrt agentrt_docs 2>&1); then
    fail "build agentrt and its docs" "$(printf '%s' "$out" | tail -3)"
    summary
    exit 1
fi
out=$(cpack -G DEB --config "$BUILD/CPackConfig.cmake" -B "$WORK/pkg" 2>&1)
DEB=$(ls "$WORK"/pkg/agentrt_*_amd64.deb 2>/dev/null | head -1)
if [ -z "$DEB" ]; then
    fail "cpack -G DEB builds agentrt_<version>_amd64.deb" "$(printf '%s' "$out" | tail -3)"
    summary
    exit 1
fi
pass "cpack -G DEB builds $(basename "$DEB")"

contents=$(dpkg-deb -c "$DEB")
for f in ./usr/bin/agentrt ./usr/share/man/man8/agentrt.8.gz ./usr/share/bash-completion/completions/agentrt \
    ./usr/share/doc/agentrt/copyright ./usr/share/doc/agentrt/changelog.gz ./usr/share/doc/agentrt/README.md; do
    expect_match "dpkg-deb -c lists $f" " $f\$" "$contents"
done
expect_match "the binary is 0755 root" '^-rwxr-xr-x root/root .* ./usr/bin/agentrt$' "$contents"
expect_nomatch "no file is group/world writable" '^-.....w|^-........w' "$contents"
expect_eq "the package depends on nothing (static binary)" "" "$(dpkg-deb -f "$DEB" Depends)"
expect_match "the description says the binary is static" "statically linked" "$(dpkg-deb -f "$DEB" Description)"

lint=$(lintian --tag-display-limit 0 --display-info --show-overrides "$DEB" 2>&1)
expect_nomatch "lintian reports no errors" '^E: ' "$lint"
printf '%s\n' "$lint" | grep -E '^(W|I|O): ' | sed 's/^/# lintian: /'

out=$(apt-get install -y "$DEB" 2>&1)
expect_eq "apt install ./agentrt_*.deb" "install ok installed" "$(dpkg-query -W -f '${Status}' agentrt 2>&1)"
listed=$(dpkg -L agentrt)
expect_match "dpkg -L lists the binary" "^$BIN\$" "$listed"
expect_match "dpkg -L lists the man page" '^/usr/share/man/man8/agentrt.8.gz$' "$listed"
expect_match "dpkg -L lists the completion" '^/usr/share/bash-completion/completions/agentrt$' "$listed"
expect_match "the installed agentrt runs" "^agentrt version" "$($BIN --version 2>&1)"
expect_eq "the installed agentrt is the one built" "$("$BUILD/agentrt" --version)" "$($BIN --version 2>&1)"

for page in $(printf '%s\n' "$listed" | grep '^/usr/share/man/.*\.gz$'); do
    rendered=$(MANWIDTH=80 man -l "$page" 2>"$WORK/man.err")
    expect_match "man -l $page renders every command" "install docker.*podman.*containerd" "$(printf '%s' "$rendered" | tr '\n' ' ')"
    expect_eq "man -l $page renders without warnings" "" "$(cat "$WORK/man.err")"
done
expect_eq "man -w agentrt finds the page" "/usr/share/man/man8/agentrt.8.gz" "$(man -w agentrt 2>&1)"

# Completion as bash runs it: the command names, install's flags, and the engine names.
complete_words() {
    bash -c '. /usr/share/bash-completion/bash_completion; . /usr/share/bash-completion/completions/agentrt
        COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
        _agentrt agentrt "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"; echo "${COMPREPLY[*]}"' _ "$@"
}
if [ -f /usr/share/bash-completion/bash_completion ]; then
    expect_eq "completion: commands" "install" "$(complete_words agentrt inst)"
    expect_eq "completion: install's flags" "--dry-run" "$(complete_words agentrt install --dr)"
    expect_eq "completion: engines" "podman" "$(complete_words agentrt install po)"
    expect_eq "completion: global flags" "--log --log-format" "$(complete_words agentrt --lo)"
else
    skip "completion" "bash-completion is not installed (/usr/share/bash-completion/bash_completion)"
fi

# --- Docker ------------------------------------------------------------------------------------------------
cat >"$WORK/daemon.json" <<'EOF2'
{
  "debug": false,
  "runtimes": {
    "plain-runc": {
      "path": "/usr/sbin/runc"
    }
  }
}
EOF2
cp "$WORK/daemon.json" "$WORK/daemon.json.orig"
if start_private_dockerd "$DOCKER_CMD"; then
    pass "private dockerd starts"
    out=$($BIN install docker --config "$WORK/daemon.json" 2>&1)
    expect_match "agentrt install docker says what it added and how to reload" \
        "added runtime \"agentrt\".*$BIN.*reload: systemctl restart docker" "$(printf '%s' "$out" | tr '\n' ' ')"
    out=$($BIN install docker --profile agent-dev --config "$WORK/daemon.json" 2>&1)
    expect_match "agentrt install docker --profile agent-dev" 'added runtime "agentrt-agent-dev"' "$out"
    expect_match "daemon.json keeps the other runtime" '"plain-runc"' "$(cat "$WORK/daemon.json")"
    kill -HUP "$(cat "$WORK/docker.pid")"
    for _ in $(seq 1 50); do
        $DOCKER_CMD info --format '{{json .Runtimes}}' 2>/dev/null | grep -q agentrt-agent-dev && break
        sleep 0.2
    done
    expect_match "after SIGHUP docker info lists agentrt" '"agentrt".*"agentrt-agent-dev"|"agentrt-agent-dev".*"agentrt"' \
        "$($DOCKER_CMD info --format '{{json .Runtimes}}' 2>&1)"

    make_rootfs "$WORK/rootfs"
    tar -C "$WORK/rootfs" -c . | $DOCKER_CMD import --change 'CMD ["/bin/sh"]' - "$IMG" >/dev/null
    # Docker always asks for /dev/console and /dev/net/tun in the device cgroup. Where the host's own device
    # cgroup withholds them, no runtime can start a Docker container: runc (registered as plain-runc) is
    # asked the same, and when it fails the same way the agentrt checks are skipped with that reason.
    runc_out=$($DOCKER_CMD run --rm --runtime=plain-runc --network none "$IMG" cat /etc/conformance-marker 2>&1)
    if printf '%s' "$runc_out" | grep -q 'devices.allow: operation not permitted'; then
        for what in "docker run --runtime=agentrt --network none" "agentrt list (docker's runtime root) shows the container" \
            "completion: container ids from agentrt list -q" "docker run --runtime=agentrt-agent-dev has a seccomp filter"; do
            ENGINE_KNOWN_FAILURES["$what"]="this host's device cgroup ($(head -c 60 /sys/fs/cgroup/devices/devices.list | tr '\n' ' ')...) withholds devices Docker asks for; runc fails the same: $(printf '%s' "$runc_out" | grep -o 'failed to write "[^"]*"' | head -1)"
        done
    fi
    out=$($DOCKER_CMD run --rm --runtime=agentrt --network none "$IMG" cat /etc/conformance-marker 2>&1)
    expect_eq "docker run --runtime=agentrt --network none" "conformance-image" "$out"
    # Even where the host refuses the devices, the error must come from the installed agentrt (it names the
    # spec field; runc's does not).
    expect_match "docker runs the registered agentrt" "conformance-image|linux\.resources\.devices\[" "$out"
    # The container really runs under the installed agentrt: its state is in agentrt's root for this runtime.
    cid=$($DOCKER_CMD run -d --runtime=agentrt --network none "$IMG" sleep 60 2>&1)
    # The root Docker hands the runtime (runtime-<name>/<namespace> under its exec root, or the shim's): found
    # by the container's state dir rather than assumed.
    state_file=$(find "$WORK" /run/docker /run/containerd -maxdepth 7 -type f -name state.json -path "*/$cid/*" 2>/dev/null | head -1)
    rt_root=${state_file%/"$cid"/state.json}
    if [ -z "$state_file" ]; then
        skip "agentrt list (docker's runtime root) shows the container" "no state dir named $cid found under $WORK, /run/docker, /run/containerd"
        skip "completion: container ids from agentrt list -q" "no runtime root found"
    else
        expect_match "agentrt list (docker's runtime root) shows the container" "^$cid\$" \
            "$($BIN --root "$rt_root" list -q 2>&1)"
        if [ -f /usr/share/bash-completion/bash_completion ]; then
            expect_eq "completion: container ids from agentrt list -q" "$cid" \
                "$(complete_words agentrt --root "$rt_root" kill "")"
        fi
    fi
    $DOCKER_CMD rm -f "$cid" >/dev/null 2>&1
    # agent-dev keeps the seccomp floor: the container's Seccomp status is 2 (filter).
    expect_eq "docker run --runtime=agentrt-agent-dev has a seccomp filter" "2" \
        "$($DOCKER_CMD run --rm --runtime=agentrt-agent-dev --network none "$IMG" sh -c 'grep ^Seccomp: /proc/self/status | tr -dc 0-9' 2>&1)"

    $BIN uninstall docker --name agentrt-agent-dev --config "$WORK/daemon.json" >/dev/null 2>&1
    out=$($BIN uninstall docker --config "$WORK/daemon.json" 2>&1)
    expect_match "agentrt uninstall docker says what it removed" 'removed runtime "agentrt"' "$out"
    expect_eq "uninstall restores daemon.json byte for byte" "" "$(cmp "$WORK/daemon.json.orig" "$WORK/daemon.json" 2>&1)"
    kill -HUP "$(cat "$WORK/docker.pid")"
    for _ in $(seq 1 50); do
        $DOCKER_CMD info --format '{{json .Runtimes}}' 2>/dev/null | grep -q '"agentrt"' || break
        sleep 0.2
    done
    expect_nomatch "after uninstall and SIGHUP docker no longer knows agentrt" '"agentrt' \
        "$($DOCKER_CMD info --format '{{json .Runtimes}}' 2>&1)"
else
    fail "private dockerd starts" "$(tail -5 "$WORK/dockerd.log")"
fi
ids=$($DOCKER_CMD ps -aq 2>/dev/null)
[ -n "$ids" ] && timeout -s KILL 60 $DOCKER_CMD rm -f $ids >/dev/null 2>&1
stop_pid "$WORK/docker.pid"

# --- Podman ------------------------------------------------------------------------------------------------
# Root here lacks CAP_SYS_RESOURCE: pin ulimits podman would otherwise raise (as conformance/podman.sh does).
cat >"$WORK/containers.conf" <<EOF2
# private containers.conf of the install leg
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]
netns = "none"

[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$WORK/events.log"
tmp_dir = "$WORK/libpodtmp"
static_dir = "$WORK/podman-root/libpod"
volume_path = "$WORK/podman-root/volumes"
EOF2
cat >"$WORK/storage.conf" <<EOF2
[storage]
driver = "overlay"
graphroot = "$WORK/podman-root"
runroot = "$WORK/podman-runroot"
EOF2
cp "$WORK/containers.conf" "$WORK/containers.conf.orig"
export CONTAINERS_CONF=$WORK/containers.conf CONTAINERS_STORAGE_CONF=$WORK/storage.conf

out=$($BIN install podman --config "$WORK/containers.conf" 2>&1)
expect_match "agentrt install podman says what it added" "added \[engine.runtimes\] agentrt = \[\"$BIN\"\]" "$out"
expect_match "podman needs no reload" "nothing to reload" "$out"
expect_match "containers.conf keeps its comment" '^# private containers.conf' "$(cat "$WORK/containers.conf")"
[ -d "$WORK/rootfs" ] || make_rootfs "$WORK/rootfs"
tar -C "$WORK/rootfs" -c . | $PODMAN_CMD import --change 'CMD ["/bin/sh"]' - "$PODMAN_IMG" >/dev/null 2>&1
expect_eq "podman info: runtime agentrt is the installed binary" "$BIN" \
    "$($PODMAN_CMD --runtime agentrt info --format '{{.Host.OCIRuntime.Path}}' 2>&1)"
expect_eq "podman --runtime agentrt run --network none" "conformance-image" \
    "$($PODMAN_CMD --runtime agentrt run --rm --network none --cgroup-parent "/agentrt-install-podman-$$" \
        "$PODMAN_IMG" cat /etc/conformance-marker 2>&1)"
out=$($BIN uninstall podman --config "$WORK/containers.conf" 2>&1)
expect_match "agentrt uninstall podman says what it removed" "removed \[engine.runtimes\] agentrt" "$out"
expect_eq "uninstall restores containers.conf byte for byte" "" \
    "$(cmp "$WORK/containers.conf.orig" "$WORK/containers.conf" 2>&1)"
timeout -s KILL 60 $PODMAN_CMD rm -af -t 0 >/dev/null 2>&1

# --- containerd (its own parser reads the edited file; no daemon is started) -------------------------------
if [ -x /usr/bin/containerd ]; then
    containerd config default >"$WORK/config.toml"
    cp "$WORK/config.toml" "$WORK/config.toml.orig"
    out=$($BIN install containerd --config "$WORK/config.toml" 2>&1)
    expect_match "agentrt install containerd says how to reload" "reload: systemctl restart containerd" "$out"
    expect_match "containerd reads the runtime from the edited config.toml" "BinaryName = \"$BIN\"" \
        "$(containerd --config "$WORK/config.toml" config dump 2>&1 | grep -A40 'runtimes.agentrt.options\]')"
    $BIN uninstall containerd --config "$WORK/config.toml" >/dev/null 2>&1
    expect_eq "uninstall restores config.toml byte for byte" "" "$(cmp "$WORK/config.toml.orig" "$WORK/config.toml" 2>&1)"
else
    skip "containerd config.toml" "containerd is not installed"
fi

# --- removal ---------------------------------------------------------------------------------------------------
out=$(apt-get remove -y agentrt 2>&1)
expect_nomatch "apt remove agentrt" "ok installed" "$(dpkg-query -W -f '${Status}' agentrt 2>&1)"
left=""
for f in $listed; do
    [ -d "$f" ] && continue
    [ -e "$f" ] && left="$left $f"
done
expect_eq "apt remove leaves no file of the package" "" "$left"
expect_eq "apt remove leaves no doc directory" "" "$(ls -d /usr/share/doc/agentrt 2>/dev/null)"

summary
[ "$FAIL" -eq 0 ]
