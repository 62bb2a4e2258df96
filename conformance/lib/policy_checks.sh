# Issue 14's filesystem and egress settings end to end, for docker.sh and podman.sh (AGENT_POLICY=1 only):
# the annotations from the engine's CLI (`run --annotation`) and, when the caller registered one
# (docker's daemon.json runtimes: FS_WRITE_RUNTIME with runtimeArgs --fs-write=/tmp, EGRESS_RUNTIME with
# --egress=...), the global flags.
# Needs the engine helpers of lib/engine_checks.sh.

# Egress under --network none: the container has only its loopback, so an address the filter lets through
# fails with "Network is unreachable" and one it refuses with "Operation not permitted" (EPERM), whatever
# the route. Its own loopback is not refused (a busybox nc listener; Podman 4.3's --network none leaves lo down:
# "Network is unreachable" there, never EPERM).
EGRESS_SCRIPT='try() { r=$(nc -w 2 "$1" "$2" </dev/null 2>&1); case "$r" in *"not permitted"*) echo denied;; *unreachable*) echo passed;; *) echo "other:$r";; esac; }; try 192.0.2.1 443; try 192.0.2.1 444; try 192.0.2.2 443; nc -l -p 8081 >/dev/null & sleep 1; r=$(echo x | nc -w 2 127.0.0.1 8081 2>&1) && echo lo-ok || case "$r" in *"not permitted"*) echo lo-denied;; *) echo lo-down;; esac'

FS_WRITE_SCRIPT='touch /tmp/in && echo in-ok; touch /etc/out 2>/dev/null && echo out-written || echo out-denied; { echo x >/etc/conformance-marker; } 2>/dev/null && echo marker-written || echo marker-denied'

checks_fs_policy() {
    local out
    if [ -n "${FS_WRITE_RUNTIME:-}" ]; then
        out=$(R --runtime "$FS_WRITE_RUNTIME" "$IMG" sh -c "$FS_WRITE_SCRIPT")
        expect_eq "run --runtime $FS_WRITE_RUNTIME (runtimeArgs --fs-write=/tmp): writes only under /tmp" \
            "in-ok out-denied marker-denied" "$(echo $out)"
    fi
    if [ -n "${EGRESS_RUNTIME:-}" ]; then
        out=$(R --runtime "$EGRESS_RUNTIME" "$IMG" sh -c "$EGRESS_SCRIPT" 2>&1)
        expect_match "run --runtime $EGRESS_RUNTIME (runtimeArgs --egress=192.0.2.1:443): other ports and addresses get EPERM, loopback not refused" \
            "^passed denied denied lo-(ok|down)$" "$(echo $out)"
    fi
    if ! E run --help 2>/dev/null | grep -q -- '--annotation'; then
        skip "run --annotation run.agentrt.fs.write / fs.read / net.egress" "this $ENGINE CLI has no --annotation"
        return
    fi
    out=$(R --annotation run.agentrt.fs.write=/tmp "$IMG" sh -c "$FS_WRITE_SCRIPT")
    expect_eq "run --annotation run.agentrt.fs.write=/tmp: writes only under /tmp (Landlock)" \
        "in-ok out-denied marker-denied" "$(echo $out)"
    # Podman's --annotation is a comma-separated list itself (pflag StringSlice): a list value is one
    # CSV-quoted entry.
    out=$(R --annotation '"run.agentrt.fs.read=/bin,/tmp"' "$IMG" sh -c \
        'cat /etc/conformance-marker 2>/dev/null || echo etc-hidden; echo x >/tmp/r && cat /tmp/r')
    expect_eq "run --annotation run.agentrt.fs.read=/bin,/tmp: /etc cannot be read" "etc-hidden x" "$(echo $out)"
    out=$(R --annotation run.agentrt.fs.write=tmp "$IMG" true 2>&1)
    expect_match "run --annotation run.agentrt.fs.write=tmp: refused naming the annotation" \
        "annotation run.agentrt.fs.write: .*tmp.* is not an absolute container path" "$out"
    out=$(R --annotation '"run.agentrt.net.egress=192.0.2.1:443,192.0.2.9:80"' "$IMG" sh -c "$EGRESS_SCRIPT" 2>&1)
    expect_match "run --annotation run.agentrt.net.egress=192.0.2.1:443,192.0.2.9:80: other ports and addresses get EPERM, loopback not refused" \
        "^passed denied denied lo-(ok|down)$" "$(echo $out)"
    out=$(R --annotation run.agentrt.net.egress=nosuch-host.invalid:443 "$IMG" true 2>&1)
    expect_match "run --annotation run.agentrt.net.egress=nosuch-host.invalid:443: refused naming the annotation" \
        "annotation run.agentrt.net.egress: cannot resolve host nosuch-host.invalid" "$out"
}
