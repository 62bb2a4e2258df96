#!/bin/bash
# systemd_checks.sh AGENTRT [RUNTIME...]: the systemd cgroup driver's checks, run inside a guest booted with
# systemd as PID 1 (tests/v2vm/run_systemd.sh). For each runtime (runc first, as the reference, then
# agentrt): create/start/update/delete with --systemd-cgroup and a slice:prefix:name cgroupsPath, and what
# systemd and the kernel say at each step. Prints PASS/FAIL/SKIP lines; exits 1 when any check failed.
set -u
agentrt=$1
shift
runtimes=("$@")
[ ${#runtimes[@]} -gt 0 ] || runtimes=(runc "$agentrt")
work=/run/systemd-checks # the guest's tmpfs: fast, and nothing on the host
failed=0 passed=0

pass() { echo "PASS [$rt_name] $*"; passed=$((passed + 1)); }
fail() { echo "FAIL [$rt_name] $*"; failed=$((failed + 1)); }
check() { # check DESCRIPTION EXPECTED ACTUAL
  if [ "$2" = "$3" ]; then pass "$1 ($3)"; else fail "$1: expected '$2', got '$3'"; fi
}
prop() { systemctl show -P "$2" "$1" 2>&1; }

make_bundle() { # make_bundle DIR ID [CGROUPS_PREFIX [ANNOTATIONS_JSON]]
  local dir=$1 id=$2 prefix=${3:-$rt_name} annotations=${4:-'{}'}
  mkdir -p "$dir/rootfs/bin" "$dir/rootfs/proc" "$dir/rootfs/sys" "$dir/rootfs/dev" "$dir/rootfs/tmp"
  cp /bin/busybox "$dir/rootfs/bin/"
  for a in sh sleep dd seq cat; do ln -sf busybox "$dir/rootfs/bin/$a"; done
  (cd "$dir" && runc spec)
  /usr/bin/python3 - "$dir/config.json" "$id" "$prefix" "$annotations" <<'PY'
import json, sys
path, cid, prefix, annotations = sys.argv[1:5]
c = json.load(open(path))
c["annotations"] = json.loads(annotations)
c["process"]["terminal"] = False
c["process"]["args"] = ["sleep", "600"]
c["linux"]["cgroupsPath"] = "system.slice:%s:%s" % (prefix, cid)
c["linux"].setdefault("resources", {})
c["linux"]["resources"]["memory"] = {"limit": 64 << 20}
c["linux"]["resources"]["pids"] = {"limit": 50}
json.dump(c, open(path, "w"))
PY
}

# delete_with_diagnostics RUNTIME ROOT ID UNIT: a delete still running after 20 s shows where it waits (its
# wchan, fds and system calls, systemd's jobs and the unit) and is killed after 90 s.
delete_with_diagnostics() {
  local rt=$1 root=$2 id=$3 unit=$4
  "$rt" --root "$root" --systemd-cgroup delete "$id" >"$work/delete.out" 2>&1 &
  local del=$! waited=0
  while kill -0 $del 2>/dev/null && [ $waited -lt 450 ]; do
    sleep 0.2
    waited=$((waited + 1))
    if [ $waited -eq 100 ]; then
      echo "  delete still running after 20 s: wchan $(cat /proc/$del/wchan)"
      ls -l /proc/$del/fd
      systemctl list-jobs --no-pager
      systemctl status --no-pager "$unit" 2>&1 | head
      timeout 3 strace -p $del -tt 2>&1 | grep -v clock_gettime | tail -20
    fi
  done
  kill -KILL $del 2>/dev/null
  wait $del
  local rc=$?
  if [ $rc -eq 0 ]; then pass "delete (~$((waited / 5)) s)"; else fail "delete (exit $rc): $(cat "$work/delete.out")"; fi
}

check_runtime() {
  local rt=$1
  rt_name=$(basename "$rt")
  local id=sdc1 root=$work/$rt_name/state bundle=$work/$rt_name/bundle
  local unit=$rt_name-$id.scope
  # Every call is bounded: a hang fails its check instead of the whole guest run.
  local r=(timeout 60 "$rt" --root "$root" --systemd-cgroup)
  mkdir -p "$root"
  # runc's documented forms: a typed uint64, a quoted string, and seconds (int32) turned into TimeoutStopUSec
  make_bundle "$bundle" "$id" "$rt_name" '{"org.systemd.property.CollectMode": "'"'inactive-or-failed'"'",
    "org.systemd.property.TimeoutStopSec": "90", "org.systemd.property.CPUWeight": "uint64 333"}'

  # Not through $(...): the container's init inherits create's stdout and would hold the pipe open.
  if ! "${r[@]}" create --bundle "$bundle" "$id" >"$work/$rt_name/create.out" 2>&1; then
    fail "create: $(cat "$work/$rt_name/create.out")"
    return
  fi
  pass "create"
  local pid
  pid=$("${r[@]}" state "$id" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["pid"])')
  out=$("${r[@]}" start "$id" 2>&1) && pass "start" || fail "start: $out"

  check "unit active" active "$(prop "$unit" ActiveState)"
  check "unit description" "libcontainer container $id" "$(prop "$unit" Description)"
  check "unit delegates" yes "$(prop "$unit" Delegate)"
  check "unit MemoryMax" $((64 << 20)) "$(prop "$unit" MemoryMax)"
  check "unit TasksMax" 50 "$(prop "$unit" TasksMax)"
  check "annotation CollectMode" inactive-or-failed "$(prop "$unit" CollectMode)"
  check "annotation TimeoutStopSec=90 as TimeoutStopUSec" "1min 30s" "$(prop "$unit" TimeoutStopUSec)"
  check "annotation CPUWeight" 333 "$(prop "$unit" CPUWeight)"
  local cg
  cg=$(prop "$unit" ControlGroup)
  check "unit cgroup" "/system.slice/$unit" "$cg"
  check "init's cgroup is the unit's" "0::$cg" "$(cat /proc/"$pid"/cgroup)"
  if systemctl status --no-pager "$unit" 2>&1 | grep -q "$pid"; then
    pass "systemctl status lists the init pid $pid"
  else
    fail "systemctl status does not list the init pid $pid: $(systemctl status --no-pager "$unit" 2>&1)"
  fi
  local dir=/sys/fs/cgroup$cg
  check "memory.max" $((64 << 20)) "$(cat "$dir/memory.max")"
  check "pids.max" 50 "$(cat "$dir/pids.max")"

  # memory limit enforced: dd's 200 MB buffer, filled by one read, is OOM-killed inside the 64 MB scope
  "${r[@]}" exec "$id" dd if=/dev/zero of=/dev/null bs=200M count=1 >"$work/exec.out" 2>&1
  echo "  memory hog exec: exit $?, $(tail -c 300 "$work/exec.out")"
  local ooms
  ooms=$(awk '$1 == "oom_kill" {print $2}' "$dir/memory.events")
  if [ "${ooms:-0}" -gt 0 ]; then pass "memory limit enforced (oom_kill $ooms)"; else fail "no OOM kill in $dir"; fi
  # pids limit enforced: 60 sleeps do not fit in 50 tasks
  "${r[@]}" exec "$id" sh -c 'for i in $(seq 1 60); do sleep 3 & done' >"$work/exec.out" 2>&1
  echo "  fork loop exec: exit $?, $(tail -c 300 "$work/exec.out")"
  local refused
  refused=$(awk '$1 == "max" {print $2}' "$dir/pids.events")
  if [ "${refused:-0}" -gt 0 ]; then pass "pids limit enforced (forks refused $refused)"; else fail "no fork refused in $dir"; fi

  out=$("${r[@]}" update --memory $((128 << 20)) --pids-limit 80 "$id" 2>&1) && pass "update" || fail "update: $out"
  check "unit MemoryMax after update" $((128 << 20)) "$(prop "$unit" MemoryMax)"
  check "unit TasksMax after update" 80 "$(prop "$unit" TasksMax)"
  check "memory.max after update" $((128 << 20)) "$(cat "$dir/memory.max")"
  check "pids.max after update" 80 "$(cat "$dir/pids.max")"

  out=$("${r[@]}" kill "$id" KILL 2>&1) && pass "kill" || fail "kill (exit $?): $out"
  for _ in $(seq 1 50); do
    [ "$("${r[@]}" state "$id" 2>/dev/null | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')" = stopped ] && break
    sleep 0.2
  done
  delete_with_diagnostics "$rt" "$root" "$id" "$unit"
  check "unit gone after delete" not-found "$(prop "$unit" LoadState)"
  [ -e "$dir" ] && fail "cgroup $dir left after delete" || pass "cgroup directory gone after delete"
}

# A bad org.systemd.property annotation fails the create, names the annotation, and leaves no unit or state.
check_bad_annotation() {
  local rt=$1
  rt_name=$(basename "$rt")
  local id=sdc3 root=$work/$rt_name/state bundle=$work/$rt_name/bad-bundle
  mkdir -p "$root"
  make_bundle "$bundle" "$id" "$rt_name" '{"org.systemd.property.Ab": "1"}'
  if timeout 60 "$rt" --root "$root" --systemd-cgroup create --bundle "$bundle" "$id" >"$work/bad.out" 2>&1; then
    fail "create with annotation org.systemd.property.Ab succeeded"
    timeout 60 "$rt" --root "$root" --systemd-cgroup delete -f "$id" >/dev/null 2>&1
  elif grep -q "org.systemd.property.Ab" "$work/bad.out"; then
    pass "bad annotation refused by name: $(tail -c 200 "$work/bad.out")"
  else
    fail "bad annotation refused without naming it: $(cat "$work/bad.out")"
  fi
  check "no unit after the refused create" not-found "$(prop "$rt_name-$id.scope" LoadState)"
  [ -e "$root/$id" ] && fail "state $root/$id left after the refused create" || pass "no state left"
}

# A unit whose name systemd escapes in the cgroup tree ("_x-id.scope" lives in "__x-id.scope"): the
# cgroup is where the unit's ControlGroup says, not where the name says, and the limits are written there.
check_escaped_unit() {
  local rt=$1
  rt_name=$(basename "$rt")
  local id=sdc2 root=$work/$rt_name/state bundle=$work/$rt_name/esc-bundle
  local unit=_$rt_name-$id.scope
  mkdir -p "$root"
  make_bundle "$bundle" "$id" "_$rt_name"
  local r=(timeout 60 "$rt" --root "$root" --systemd-cgroup)
  if ! "${r[@]}" create --bundle "$bundle" "$id" >"$work/esc.out" 2>&1; then
    fail "escaped unit: create: $(cat "$work/esc.out")"
    "${r[@]}" delete -f "$id" >/dev/null 2>&1
    return
  fi
  pass "escaped unit: create"
  local cg pid
  cg=$(prop "$unit" ControlGroup)
  pid=$("${r[@]}" state "$id" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["pid"])')
  check "escaped unit's ControlGroup" "/system.slice/_$unit" "$cg"
  check "init in the escaped unit's cgroup" "0::$cg" "$(cat /proc/"$pid"/cgroup)"
  check "pids.max written in the escaped unit's cgroup" 50 "$(cat "/sys/fs/cgroup$cg/pids.max" 2>&1)"
  if [ "$rt_name" != runc ]; then # runc's state file has another layout
    if grep -q "\"path\":\"$cg\"" "$root/$id/state.json"; then pass "state records the unit's cgroup $cg"; else fail "state does not record $cg: $(cat "$root/$id/state.json")"; fi
  fi
  "${r[@]}" delete -f "$id" >"$work/esc.out" 2>&1 && pass "escaped unit: delete" || fail "escaped unit: delete: $(cat "$work/esc.out")"
  check "escaped unit gone after delete" not-found "$(prop "$unit" LoadState)"
  [ -e "/sys/fs/cgroup$cg" ] && fail "cgroup $cg left after delete" || pass "escaped unit's cgroup gone"
}

# checkpoint and restore of a --systemd-cgroup container: the restored counter goes on in a new scope that
# has the pid limit and the restored init. criu needs the images off 9p: everything is on the guest's /run.
check_restore() {
  local rt=$1
  rt_name=$(basename "$rt")
  if ! command -v criu >/dev/null; then
    echo "SKIP [$rt_name] checkpoint/restore: not run: no criu in the guest"
    return
  fi
  local id=sdc4 root=$work/$rt_name/state bundle=$work/$rt_name/ck-bundle img=$work/$rt_name/img
  local unit=$rt_name-$id.scope ctl=$work/$rt_name/ctl
  mkdir -p "$root" "$ctl"
  make_bundle "$bundle" "$id"
  /usr/bin/python3 - "$bundle/config.json" "$ctl" <<'PY'
import json, sys
path, ctl = sys.argv[1:3]
c = json.load(open(path))
c["process"]["args"] = ["sh", "-c", "i=0; while :; do i=$((i+1)); echo $i > /ctl/count; sleep 0.1; done"]
c["mounts"].append({"destination": "/ctl", "type": "bind", "source": ctl, "options": ["rbind", "rw"]})
del c["linux"]["resources"]["memory"]
json.dump(c, open(path, "w"))
PY
  local r=(timeout 120 "$rt" --root "$root" --systemd-cgroup)
  # stdio on /dev/null: criu cannot dump a file of a mount outside the container's mount namespace (the
  # container would inherit an output file of this script's)
  "${r[@]}" run -d --bundle "$bundle" "$id" </dev/null >/dev/null 2>&1
  local rc=$?
  if [ $rc -ne 0 ]; then
    fail "run for checkpoint (exit $rc)"
    return
  fi
  sleep 2
  if "${r[@]}" checkpoint --image-path "$img" "$id" >"$work/ck.out" 2>&1; then pass "checkpoint"; else
    fail "checkpoint: $(cat "$work/ck.out"; tail -5 "$img/dump.log")"
    "${r[@]}" delete -f "$id" >/dev/null 2>&1
    return
  fi
  local frozen
  frozen=$(cat "$ctl/count")
  check "scope gone after the checkpoint" not-found "$(prop "$unit" LoadState)"
  if "${r[@]}" restore -d --bundle "$bundle" --image-path "$img" "$id" >"$work/ck.out" 2>&1; then pass "restore"; else
    fail "restore: $(cat "$work/ck.out"; tail -5 "$img/restore.log")"
    "${r[@]}" delete -f "$id" >/dev/null 2>&1
    return
  fi
  local pid cg
  pid=$("${r[@]}" state "$id" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["pid"])')
  check "restored scope active" active "$(prop "$unit" ActiveState)"
  cg=$(prop "$unit" ControlGroup)
  check "restored init $pid in the scope's cgroup" "0::$cg" "$(cat /proc/"$pid"/cgroup 2>&1)"
  check "pids.max in the restored scope" 50 "$(cat "/sys/fs/cgroup$cg/pids.max" 2>&1)"
  check "restored scope TasksMax" 50 "$(prop "$unit" TasksMax)"
  sleep 2
  local after
  after=$(cat "$ctl/count")
  if [ "$after" -gt "$frozen" ]; then pass "restored counter continues ($frozen -> $after)"; else fail "restored counter stuck at $after (frozen at $frozen)"; fi
  "${r[@]}" delete -f "$id" >"$work/ck.out" 2>&1 && pass "delete after restore" || fail "delete after restore: $(cat "$work/ck.out")"
  check "scope gone after delete" not-found "$(prop "$unit" LoadState)"
}

echo "systemd $(systemctl --version | head -1 | cut -d' ' -f2) is PID 1: $(cat /proc/1/comm); cgroup fs: $(stat -fc %T /sys/fs/cgroup)"
for rt in "${runtimes[@]}"; do
  check_runtime "$rt"
  check_bad_annotation "$rt"
  check_escaped_unit "$rt"
  check_restore "$rt"
done
echo "systemd checks: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
