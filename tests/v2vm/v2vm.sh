#!/bin/bash
# v2vm.sh COMMAND...
#
# Runs COMMAND (one shell command line; several arguments are joined with spaces, as ssh does) as root inside
# a nested Linux kernel with a pure cgroup v2 hierarchy, without KVM and without touching any mount of the host.
# The guest's / is the host's own /, read-write over virtio-9p, so the work tree, /usr, /tmp ... are at the same
# paths and binaries run from there. Exit status: COMMAND's; 124 if it timed out; 125 if the guest could not
# start or died before COMMAND's status came back (the end of its console is then printed on stderr).
#
# The guest: qemu-system-x86_64 under TCG, Debian's linux-image-amd64 kernel (6.1 on Debian 12) booted through
# its PVH entry point from an uncompressed vmlinux, a busybox initramfs that mounts the host's / and then
#   * /sys/fs/cgroup is cgroup2 (nsdelegate) with every available controller enabled at the root; PID 1 and
#     COMMAND sit in /init so the root cgroup is free for the tests' children;
#   * /proc /sys /dev (devtmpfs) /dev/pts /dev/shm /dev/mqueue and an empty /run are the guest's own;
#   * COMMAND runs in the caller's cwd with the caller's environment, stdin from /dev/null, its stdout and
#     stderr are this script's (virtio serial ports); `modprobe` loads the guest kernel's own modules; lo is up.
# PID 1 is guest/init.sh; the initramfs execs whatever v2vm_init= names on the kernel command line, so another
# PID 1 (e.g. systemd) needs only its own set-up and a different v2vm_init.
#
# Limits of the shared 9p file system (put sockets, fifos, device nodes, overlayfs upper dirs and small-file
# churn on /run or /dev/shm, or set V2VM_TMP=guest): mknod, mkfifo and bind() of a unix socket fail with
# ENXIO (QEMU refuses special files on the host); no trusted.* xattrs; no O_TMPFILE; fstat/ftruncate of an
# unlinked open file fail; ~20 ms per file create+unlink; host changes made while the guest runs may be unseen.
#
# Knobs (environment):
#   V2VM_TIMEOUT  seconds COMMAND may run (default 900); the guest is killed V2VM_TIMEOUT+120 s after its start
#   V2VM_TMP      host (default): /tmp is the host's; guest: a fresh tmpfs on the guest's /tmp
#   V2VM_MEM      guest memory (default 2G)
#   V2VM_CPUS     vCPUs (default 2)
#   V2VM_SHELL    shell that runs COMMAND (default /bin/bash)
#   V2VM_CACHE    where the guest kernel is kept (default /var/cache/agentrt-v2vm, ~500 MB); filled on first
#                 use by `apt-get download` of the kernel package; remove it to take a newer kernel
#   V2VM_DEBUG=1  print the guest console at the end and keep the run directory
#   V2VM_INIT     the guest's PID 1 after switch_root (default guest/init.sh; guest/systemd-init.sh boots
#                 systemd, which then runs COMMAND as a service)
#
# Host packages (Debian 12, after apt-get update): qemu-system-x86 busybox-static kmod python3. Run as root.
set -u

v2vm_home=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

die() {
  echo "v2vm: $*" >&2
  exit 125
}

usage() {
  sed -n '2,/^set -u$/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
  exit 2
}

. "$v2vm_home/lib/kernel.sh"
. "$v2vm_home/lib/initramfs.sh"

read_knobs() {
  timeout_s=${V2VM_TIMEOUT:-900}
  guest_tmp=${V2VM_TMP:-host}
  mem=${V2VM_MEM:-2G}
  cpus=${V2VM_CPUS:-2}
  shell=${V2VM_SHELL:-/bin/bash}
  cache=${V2VM_CACHE:-/var/cache/agentrt-v2vm}
  debug=${V2VM_DEBUG:-0}
  guest_init=${V2VM_INIT:-$v2vm_home/guest/init.sh}
  [ -x "$guest_init" ] || die "V2VM_INIT: $guest_init is not an executable file"
  case $timeout_s in '' | *[!0-9]*) die "V2VM_TIMEOUT must be a number of seconds, not '$timeout_s'" ;; esac
  case $cpus in '' | *[!0-9]* | 0) die "V2VM_CPUS must be a positive number, not '$cpus'" ;; esac
  case $guest_tmp in host | guest) ;; *) die "V2VM_TMP must be host or guest, not '$guest_tmp'" ;; esac
}

check_host_tools() {
  command -v qemu-system-x86_64 >/dev/null || die "no qemu-system-x86_64: apt-get install -y qemu-system-x86"
  [ -x /bin/busybox ] || die "no /bin/busybox: apt-get install -y busybox-static"
  PATH=$PATH:/usr/sbin:/sbin
  command -v depmod >/dev/null && command -v modprobe >/dev/null || die "no depmod/modprobe: apt-get install -y kmod"
  command -v python3 >/dev/null || die "no python3: apt-get install -y python3"
}

# prepare_guest_images: sets kernel_root, kernel_image and initramfs (fetched/built once, under a lock so
# concurrent runs share the cache).
prepare_guest_images() {
  mkdir -p "$cache" || die "cannot create $cache"
  exec 9>"$cache/.lock"
  flock -w 600 9 || die "cannot lock $cache/.lock"
  kernel_root=$(cached_kernel_root "$cache") || kernel_root=$(fetch_kernel "$cache") || exit 125
  kernel_image=$(boot_image "$kernel_root")
  initramfs=$(initramfs_image "$kernel_root") || exit 125
  exec 9>&-
}

# make_run_dir COMMAND...: the per-run directory the guest reads over 9p: command, environment, settings and
# a modprobe that loads the guest kernel's modules (the host's /lib/modules are not the guest's).
make_run_dir() {
  # With V2VM_TMP=guest the guest's /tmp hides the host's: the run directory must live elsewhere.
  local parent=/tmp
  [ "$guest_tmp" = guest ] && parent=/var/tmp
  run=$(mktemp -d "$parent/v2vm.XXXXXXXX") || die "cannot create a run directory in $parent"
  chmod 755 "$run"
  printf '%s' "$*" >"$run/cmd"
  (umask 077 && env -0 >"$run/env")
  printf 'v2vm_timeout=%q\nv2vm_shell=%q\nv2vm_cwd=%q\nv2vm_tmp=%q\nv2vm_repo=%q\n' \
    "$timeout_s" "$shell" "$(pwd -P 2>/dev/null || echo /)" "$guest_tmp" "$(cd "$v2vm_home/../.." && pwd -P)" \
    >"$run/conf"
  printf '#!/bin/sh\nexec %q -d %q "$@"\n' "$(command -v modprobe)" "$kernel_root" >"$run/modprobe"
  chmod 755 "$run/modprobe"
}

# start_output_readers: COMMAND's stdout/stderr arrive through fifos QEMU writes into; copy them to ours.
start_output_readers() {
  mkfifo "$run/out.fifo" "$run/err.fifo" || die "cannot create fifos in $run"
  cat "$run/out.fifo" &
  readers=$!
  cat "$run/err.fifo" >&2 &
  readers="$readers $!"
}

# stop_output_readers: an O_RDWR open of a fifo never blocks, so a reader still waiting for QEMU is released.
stop_output_readers() {
  [ -n "$readers" ] || return 0
  local fifo
  for fifo in "$run/out.fifo" "$run/err.fifo"; do
    [ -p "$fifo" ] && { exec 7<>"$fifo"; exec 7>&-; }
  done
  wait $readers 2>/dev/null
  readers=
}

# boot_guest: QEMU in its own session (killed as a process group); sets vm_pid.
boot_guest() {
  # crypto self-tests and initcalls nobody needs here cost ~1 s under TCG
  local skip="cryptomgr.notests initcall_blacklist=init_kprobe_trace,crypto_kdf108_init,init_encrypted,init_ima,tpm_init"
  local guest_args="v2vm_setup=$v2vm_home/guest/setup.sh v2vm_init=$guest_init v2vm_run=$run"
  setsid qemu-system-x86_64 \
    -accel tcg,thread=multi -cpu max -smp "$cpus" -m "$mem" \
    -nodefaults -no-user-config -display none -monitor none -no-reboot \
    -kernel "$kernel_image" -initrd "$initramfs" \
    -append "console=ttyS0 quiet panic=-1 mitigations=off $skip $guest_args" \
    -serial "file:$run/console.log" \
    -virtfs local,path=/,mount_tag=hostroot,security_model=passthrough,multidevs=remap \
    -device virtio-serial-pci,id=vs \
    -chardev "file,id=out,path=$run/out.fifo" \
    -device virtserialport,bus=vs.0,chardev=out,name=v2vm.out \
    -chardev "file,id=err,path=$run/err.fifo" \
    -device virtserialport,bus=vs.0,chardev=err,name=v2vm.err \
    >"$run/qemu.log" 2>&1 </dev/null &
  vm_pid=$!
}

kill_guest() {
  [ -n "$vm_pid" ] || return 0
  if kill -0 -- "-$vm_pid" 2>/dev/null; then
    kill -TERM -- "-$vm_pid" 2>/dev/null
    for _ in 1 2 3 4 5 6 7 8 9 10; do
      kill -0 -- "-$vm_pid" 2>/dev/null || break
      sleep 0.2
    done
    kill -KILL -- "-$vm_pid" 2>/dev/null
  fi
  vm_pid=
}

# start_watchdog SECONDS: kills the guest after SECONDS whatever happens inside; sets watchdog_pid.
start_watchdog() {
  (
    exec >/dev/null 2>&1 </dev/null
    trap 'kill $sleeper; exit 0' TERM
    sleep "$1" &
    sleeper=$!
    wait $sleeper
    echo timeout >"$run/killed"
    kill -TERM -- "-$vm_pid"
    sleep 2
    kill -KILL -- "-$vm_pid"
  ) &
  watchdog_pid=$!
}

# guest_status: COMMAND's exit status from the run directory, or 124/125 with the guest's console.
guest_status() {
  local qemu_rc=$1
  if [ -s "$run/rc" ]; then
    [ "$debug" = 1 ] && { echo "---- v2vm: guest console ----" >&2; cat "$run/console.log" "$run/qemu.log" >&2; }
    cat "$run/rc"
    return
  fi
  if [ -e "$run/killed" ]; then
    echo "v2vm: guest killed after $((timeout_s + 120)) s" >&2
    echo 124
  else
    echo "v2vm: guest exited ($qemu_rc) without the command's status" >&2
    echo 125
  fi
  { echo "---- v2vm: qemu output ----"; tail -n 20 "$run/qemu.log"
    echo "---- v2vm: guest console ----"; tail -n 60 "$run/console.log"; } >&2
}

cleanup() {
  trap - EXIT INT TERM HUP
  kill_guest
  [ -n "$watchdog_pid" ] && kill "$watchdog_pid" 2>/dev/null
  stop_output_readers
  [ -n "$run" ] || return
  if [ "$debug" = 1 ]; then echo "v2vm: kept $run" >&2; else rm -rf "$run"; fi
}

main() {
  [ $# -eq 0 ] || [ "$1" = -h ] || [ "$1" = --help ] && usage
  read_knobs
  check_host_tools
  prepare_guest_images
  run= vm_pid= watchdog_pid= readers=
  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  trap 'exit 129' HUP
  make_run_dir "$@"
  start_output_readers
  boot_guest
  start_watchdog $((timeout_s + 120))
  { wait "$vm_pid"; } 2>/dev/null
  local qemu_rc=$?
  vm_pid=
  kill "$watchdog_pid" 2>/dev/null
  watchdog_pid=
  stop_output_readers
  exit "$(guest_status $qemu_rc)"
}

main "$@"
