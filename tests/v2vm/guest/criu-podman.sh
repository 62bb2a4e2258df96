#!/bin/bash
# criu-podman.sh AGENTRT [RUNTIME_NAME_FOR_THE_LOG]
# In the nested kernel (tests/v2vm/v2vm.sh): `podman container checkpoint` and `restore` of a busybox counter
# with AGENTRT (or runc) as podman's runtime. The image is imported from a busybox rootfs (no pull); podman's
# storage, run root and the runtime's state live on the guest's /run. Prints each step and its result; exits
# non-zero when a step fails or the restored counter does not continue.
set -u
runtime=$1
w=/run/criu-podman-$(basename "$runtime")
rm -rf "$w"
mkdir -p "$w/rootfs/bin" "$w/ctl"
cp /bin/busybox "$w/rootfs/bin/"
for a in $(/bin/busybox --list); do [ -e "$w/rootfs/bin/$a" ] || ln -s busybox "$w/rootfs/bin/$a"; done
p=(podman --root "$w/root" --runroot "$w/run" --storage-driver vfs --cgroup-manager cgroupfs
  --events-backend file --runtime "$runtime")
step() {
  echo "== $*"
  "$@"
  local rc=$?
  echo "== rc=$rc"
  return $rc
}
tar -C "$w/rootfs" -c . | step "${p[@]}" import - localhost/criu-busybox || exit 1
step "${p[@]}" run -d --name c1 --network none -v "$w/ctl:/ctl" localhost/criu-busybox \
  /bin/sh -c 'i=0; while :; do i=$((i+1)); echo $i > /ctl/count; sleep 0.1; done' || exit 1
sleep 3
before=$(cat "$w/ctl/count")
step "${p[@]}" container checkpoint c1 || { "${p[@]}" rm -f -t 0 c1; exit 1; }
frozen=$(cat "$w/ctl/count")
sleep 1
echo "count before $before, at checkpoint $frozen, one second later $(cat "$w/ctl/count")"
step "${p[@]}" container restore c1 || { "${p[@]}" rm -f -t 0 c1; exit 1; }
sleep 3
after=$(cat "$w/ctl/count")
echo "count after restore: $after (frozen at $frozen)"
"${p[@]}" ps -a
"${p[@]}" rm -f -t 0 c1 >/dev/null
[ "$after" -gt "$frozen" ]
