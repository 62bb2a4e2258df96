#!/bin/bash
# PID 1 of a v2vm guest that boots systemd (V2VM_INIT=<this>): hides from systemd the host's files it would
# change (the guest's / is the host's /, read-write over 9p), then execs systemd with one target whose only
# job is a service running guest/init.sh: the run's command, its output on the virtio ports, its status in
# the run directory, then power-off. Mounts made here are the guest's own: the host is untouched.
run=$1
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
. "$run/conf"
guest=$v2vm_repo/tests/v2vm/guest

# The host's enabled units (/etc/systemd/system/*.wants) and systemd's state (/var/lib/systemd): empty
# tmpfs instead, so no host unit is pulled in and no timestamp, seed or journal lands on the host.
for dir in /etc/systemd/system /var/lib/systemd /var/log/journal; do
  [ -d "$dir" ] && mount -t tmpfs -o mode=755 systemd-guest "$dir"
done

# guest/setup.sh parked PID 1 in /init for the plain guest; systemd takes the cgroup it starts in as its
# root, so it must start in the real root to manage /system.slice as on a host.
echo $$ >/sys/fs/cgroup/cgroup.procs

units=/run/systemd/system
mkdir -p "$units"
# Anything that cleans or populates shared directories must not run even if something pulls it in.
for unit in systemd-tmpfiles-setup.service systemd-tmpfiles-setup-dev.service \
  systemd-tmpfiles-setup-dev-early.service systemd-tmpfiles-clean.service systemd-tmpfiles-clean.timer \
  systemd-journald.service systemd-journald.socket systemd-journald-dev-log.socket \
  systemd-journald-audit.socket systemd-journal-flush.service systemd-random-seed.service \
  systemd-update-utmp.service systemd-remount-fs.service systemd-sysusers.service \
  systemd-machine-id-commit.service systemd-firstboot.service ldconfig.service \
  apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer fstrim.timer logrotate.timer man-db.timer \
  tmp.mount; do
  ln -sf /dev/null "$units/$unit"
done

cat >"$units/agentrt-v2vm.target" <<UNIT
[Unit]
Description=agentrt v2vm run
DefaultDependencies=no
Wants=agentrt-v2vm.service
UNIT
cat >"$units/agentrt-v2vm.service" <<UNIT
[Unit]
Description=agentrt v2vm command
DefaultDependencies=no

[Service]
Type=exec
ExecStart=$guest/init.sh $run
StandardInput=null
StandardOutput=tty
StandardError=tty
TTYPath=/dev/console
UNIT

exec /lib/systemd/systemd --unit=agentrt-v2vm.target --log-target=console --show-status=0
