# Sourced by the initramfs's busybox sh before switch_root, with R = where the guest's / is mounted and
# v2vm_run = the run directory (as seen from that /). Makes the guest's own mounts over the host's tree:
# proc, sys, dev, a pure cgroup2 hierarchy with every controller enabled, an empty /run (and /tmp when asked).
. "$R$v2vm_run/conf"
say() { echo "v2vm-setup: $*" >/dev/console; }

mount_kernel_filesystems() {
  mount -t proc proc "$R/proc"
  mount -t sysfs sysfs "$R/sys"
  mount -t devtmpfs devtmpfs "$R/dev"
  mkdir -p "$R/dev/pts" "$R/dev/shm" "$R/dev/mqueue"
  mount -t devpts -o newinstance,ptmxmode=0666,mode=0620,gid=5 devpts "$R/dev/pts"
  mount -t tmpfs -o mode=1777,nosuid,nodev shm "$R/dev/shm"
  mount -t mqueue mqueue "$R/dev/mqueue"
  # devtmpfs has no /dev/fd, /dev/std{in,out,err}: udev would make them.
  ln -sf /proc/self/fd "$R/dev/fd"
  ln -sf /proc/self/fd/0 "$R/dev/stdin"
  ln -sf /proc/self/fd/1 "$R/dev/stdout"
  ln -sf /proc/self/fd/2 "$R/dev/stderr"
  ln -sf /proc/kcore "$R/dev/core"
}

mount_guest_tmpfs() {
  mount -t tmpfs -o mode=755,nosuid,nodev tmpfs "$R/run"
  mkdir -p "$R/run/lock" "$R/run/user"
  [ "$v2vm_tmp" = guest ] || return 0
  # A checkout (and its build) under the host's /tmp must stay visible over the guest's own /tmp: the
  # host's /tmp is kept aside and the checkout and the cwd are bound back at their paths.
  mkdir -p "$R/run/v2vm-host-tmp"
  mount --bind "$R/tmp" "$R/run/v2vm-host-tmp"
  mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$R/tmp"
  for keep in "$v2vm_repo" "$v2vm_cwd"; do
    case $keep in
      /tmp/?*)
        mkdir -p "$R$keep"
        mount --bind "$R/run/v2vm-host-tmp/${keep#/tmp/}" "$R$keep"
        ;;
    esac
  done
}

# Pure cgroup v2: this shell (and so PID 1 after switch_root) leaves the root cgroup for /init, so the root
# has no internal process and can enable every controller for the cgroups the tests create.
setup_cgroup2() {
  local controllers controller
  mount -t cgroup2 -o nsdelegate cgroup2 "$R/sys/fs/cgroup" || { say "cgroup2 mount failed"; return; }
  mkdir -p "$R/sys/fs/cgroup/init"
  echo $$ >"$R/sys/fs/cgroup/init/cgroup.procs"
  read -r controllers <"$R/sys/fs/cgroup/cgroup.controllers"
  for controller in $controllers; do
    echo "+$controller" >"$R/sys/fs/cgroup/cgroup.subtree_control" || say "cannot enable $controller"
  done
}

setup_system() {
  echo "$v2vm_run/modprobe" >"$R/proc/sys/kernel/modprobe"
  echo v2vm >"$R/proc/sys/kernel/hostname"
  ip link set lo up
}

mount_kernel_filesystems
mount_guest_tmpfs
setup_cgroup2
setup_system
