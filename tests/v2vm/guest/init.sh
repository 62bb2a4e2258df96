#!/bin/bash
# PID 1 of the v2vm guest: runs the run's command with the caller's environment, cwd and a timeout, its stdout
# and stderr on the virtio serial ports v2vm.out / v2vm.err, writes its exit status to the run directory ($1)
# and powers the guest off. Builtins where possible: each exec costs ~50 ms under TCG.
run=$1
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
. "$run/conf"

# serial_port NAME: the /dev node of the virtio serial port called NAME (the console if there is none).
serial_port() {
  local port name
  for port in /sys/class/virtio-ports/*; do
    read -r name <"$port/name"
    [ "$name" = "$1" ] && echo "/dev/${port##*/}" && return
  done
  echo /dev/console
}

import_environment() {
  local assignment
  while IFS= read -r -d '' assignment; do
    export "$assignment" 2>/dev/null
  done <"$run/env"
}

power_off() {
  sync
  echo o >/proc/sysrq-trigger
  sleep 10
  /bin/busybox poweroff -f
  sleep 1000
}

out=$(serial_port v2vm.out)
err=$(serial_port v2vm.err)
import_environment
IFS= read -r -d '' command <"$run/cmd"
cd "$v2vm_cwd" 2>/dev/null || cd /
timeout -k 10 "$v2vm_timeout" "$v2vm_shell" -c "$command" </dev/null >"$out" 2>"$err"
echo $? >"$run/rc"
power_off
