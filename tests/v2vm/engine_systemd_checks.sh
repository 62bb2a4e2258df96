#!/bin/bash
# engine_systemd_checks.sh RUNTIME...: Docker with native.cgroupdriver=systemd and Podman with
# cgroup_manager=systemd driving each RUNTIME (runc first, as the reference, then agentrt), inside a guest
# booted with systemd as PID 1 (tests/v2vm/run_systemd.sh). For each engine and runtime: a container runs,
# systemd has its scope (active, delegated, the container's pid in its cgroup, TasksMax and MemoryMax from
# --pids-limit and --memory), both limits are enforced, and the scope and its cgroup are gone after rm.
# Everything lives on the guest's /run (a tmpfs): the private dockerd's data and exec root and socket,
# podman's storage. Prints PASS/FAIL lines; exits 1 when any check failed.
set -u
runtimes=("$@")
work=/run/engine-systemd
failed=0 passed=0
pass() { echo "PASS [$tag] $*"; passed=$((passed + 1)); }
fail() { echo "FAIL [$tag] $*"; failed=$((failed + 1)); }
check() { # check DESCRIPTION EXPECTED ACTUAL
  if [ "$2" = "$3" ]; then pass "$1 ($3)"; else fail "$1: expected '$2', got '$3'"; fi
}
prop() { systemctl show -P "$2" "$1" 2>&1; }

mkdir -p "$work"
cd "$work" || exit 1 # conmon drops its oom marker into the cwd
mkdir -p "$work/rootfs/bin" "$work/rootfs/proc" "$work/rootfs/sys" "$work/rootfs/dev" "$work/rootfs/tmp" \
  "$work/rootfs/etc"
cp /bin/busybox "$work/rootfs/bin/"
for a in sh sleep dd seq cat; do ln -sf busybox "$work/rootfs/bin/$a"; done
tar -C "$work/rootfs" -cf "$work/rootfs.tar" .

# check_container ENGINE_CMD... -- NAME UNIT_PREFIX SLICE: the checks on a running container NAME.
check_container() {
  local -a e=()
  while [ "$1" != -- ]; do e+=("$1"); shift; done
  shift
  local name=$1 prefix=$2 slice=$3
  local id pid unit cg dir
  id=$("${e[@]}" inspect -f '{{.Id}}' "$name")
  pid=$("${e[@]}" inspect -f '{{.State.Pid}}' "$name")
  unit=$prefix-$id.scope
  check "scope active" active "$(prop "$unit" ActiveState)"
  check "scope delegates" yes "$(prop "$unit" Delegate)"
  check "scope's slice" "$slice" "$(prop "$unit" Slice)"
  check "scope TasksMax (--pids-limit)" 40 "$(prop "$unit" TasksMax)"
  check "scope MemoryMax (--memory)" $((64 << 20)) "$(prop "$unit" MemoryMax)"
  cg=$(prop "$unit" ControlGroup)
  check "scope cgroup" "/$slice/$unit" "$cg"
  check "container init $pid in the scope's cgroup" "0::$cg" "$(cat /proc/"$pid"/cgroup 2>&1)"
  dir=/sys/fs/cgroup$cg
  check "pids.max" 40 "$(cat "$dir/pids.max" 2>&1)"
  check "memory.max" $((64 << 20)) "$(cat "$dir/memory.max" 2>&1)"
  # a 200 MB dd buffer, filled by one read, does not fit in 64 MB
  local ooms
  "${e[@]}" exec "$name" dd if=/dev/zero of=/dev/null bs=200M count=1 >"$work/exec.out" 2>&1
  ooms=$(awk '$1 == "oom_kill" {print $2}' "$dir/memory.events" 2>/dev/null)
  if [ "${ooms:-0}" -gt 0 ]; then pass "memory limit enforced (oom_kill $ooms)"; else fail "no OOM kill in $dir: $(tail -c 300 "$work/exec.out")"; fi
  # 60 sleeps do not fit in 40 tasks (last: the exec that follows could not fork while they live)
  "${e[@]}" exec "$name" sh -c 'for i in $(seq 1 60); do sleep 3 & done' >"$work/exec.out" 2>&1
  local refused
  refused=$(awk '$1 == "max" {print $2}' "$dir/pids.events" 2>/dev/null)
  if [ "${refused:-0}" -gt 0 ]; then pass "pids limit enforced (forks refused $refused)"; else fail "no fork refused in $dir: $(tail -c 300 "$work/exec.out")"; fi
  local out
  out=$(timeout 120 "${e[@]}" rm -f "$name" 2>&1) && pass "rm -f" || fail "rm -f: $out"
  for _ in $(seq 1 50); do
    [ "$(prop "$unit" LoadState)" = not-found ] && break
    sleep 0.2
  done
  check "scope gone after rm" not-found "$(prop "$unit" LoadState)"
  [ -e "$dir" ] && fail "cgroup $dir left after rm" || pass "scope's cgroup gone after rm"
}

run_opts=(--network none --pids-limit 40 --memory 64m --memory-swap 64m)

docker_checks() {
  local d=$work/docker sock=$work/docker/docker.sock
  mkdir -p "$d/data" "$d/exec"
  local rt_args=()
  for rt in "${runtimes[@]}"; do rt_args+=(--add-runtime "$(basename "$rt")-sd=$rt"); done
  tag="docker dockerd"
  dockerd --data-root "$d/data" --exec-root "$d/exec" --pidfile "$d/docker.pid" -H "unix://$sock" \
    --bridge=none --iptables=false --ip6tables=false --ip-forward=false --ip-masq=false \
    --userland-proxy=false --exec-opt native.cgroupdriver=systemd --storage-driver vfs "${rt_args[@]}" \
    >"$d/dockerd.log" 2>&1 &
  local dockerd_pid=$!
  local dk=(timeout 120 docker -H "unix://$sock")
  for _ in $(seq 1 300); do
    "${dk[@]}" version >/dev/null 2>&1 && break
    kill -0 $dockerd_pid 2>/dev/null || break
    sleep 0.2
  done
  if ! "${dk[@]}" version >/dev/null 2>&1; then
    fail "dockerd did not start: $(tail -5 "$d/dockerd.log")"
    kill -KILL $dockerd_pid 2>/dev/null
    return
  fi
  check "dockerd's cgroup driver" systemd "$("${dk[@]}" info -f '{{.CgroupDriver}}')"
  "${dk[@]}" import - engine-sd/busybox <"$work/rootfs.tar" >/dev/null || fail "docker import"
  for rt in "${runtimes[@]}"; do
    tag="docker $(basename "$rt")"
    local name=sd-docker-$(basename "$rt")
    if ! out=$("${dk[@]}" run -d --name "$name" --runtime "$(basename "$rt")-sd" "${run_opts[@]}" \
      engine-sd/busybox sleep 600 2>&1); then
      fail "docker run: $out"
      "${dk[@]}" rm -f "$name" >/dev/null 2>&1
      continue
    fi
    pass "docker run"
    check_container "${dk[@]}" -- "$name" docker system.slice
  done
  kill -TERM $dockerd_pid
  for _ in $(seq 1 100); do kill -0 $dockerd_pid 2>/dev/null || break; sleep 0.2; done
  kill -KILL $dockerd_pid 2>/dev/null
  wait $dockerd_pid 2>/dev/null
}

podman_checks() {
  local p=$work/podman
  mkdir -p "$p"
  tag="podman import"
  local pm=(timeout 120 podman --root "$p/root" --runroot "$p/run" --storage-driver vfs --cgroup-manager systemd
    --events-backend file)
  "${pm[@]}" import - localhost/engine-sd-busybox <"$work/rootfs.tar" >/dev/null || fail "podman import"
  for rt in "${runtimes[@]}"; do
    tag="podman $(basename "$rt")"
    local name=sd-podman-$(basename "$rt")
    if ! out=$("${pm[@]}" --runtime "$rt" run -d --name "$name" "${run_opts[@]}" localhost/engine-sd-busybox \
      sleep 600 2>&1); then
      fail "podman run: $out"
      "${pm[@]}" --runtime "$rt" rm -f "$name" >/dev/null 2>&1
      continue
    fi
    pass "podman run"
    check_container "${pm[@]}" --runtime "$rt" -- "$name" libpod machine.slice
  done
}

tag=guest
echo "engines with systemd cgroups: $(dockerd --version); $(podman --version); systemd is $(cat /proc/1/comm)"
docker_checks
podman_checks
echo "engine systemd checks: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
