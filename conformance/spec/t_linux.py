"""config-linux.md: namespaces, user namespace mappings, devices, sysctl, seccomp,
personality, maskedPaths, readonlyPaths."""

import os
import subprocess
import time

from harness import Skip, check, eq, cfg, sh, require_runtime_works
from registry import test
from t_process import ok_run, expect_create_error

NS_TYPES = {"pid": "pid", "network": "net", "ipc": "ipc", "uts": "uts", "mount": "mnt", "cgroup": "cgroup",
            "user": "user"}


def ns_links(env, config):
    names = " ".join(NS_TYPES.values())
    c = dict(config)
    c["process"] = dict(config["process"], args=["/bin/sh", "-c", f"for n in {names}; do echo $n=$(readlink /proc/self/ns/$n); done"])
    out = ok_run(env, c)
    return dict(line.split("=", 1) for line in out.split())


def host_ns(n):
    return os.readlink(f"/proc/self/ns/{n}")


@test("linux.namespaces: each listed namespace is new, each omitted one is the host's")
def _(env):
    c = cfg(["/bin/true"])
    c["linux"]["namespaces"] = [{"type": t} for t in ("pid", "ipc", "uts", "mount", "cgroup")]
    links = ns_links(env, c)
    for t in ("pid", "ipc", "uts", "mnt", "cgroup"):
        check(links[t] != host_ns(t), f"{t} namespace is the host's")
    for t in ("net", "user"):
        eq(links[t], host_ns(t), f"{t} namespace (omitted: must be the host's)")


@test("linux.namespaces: network namespace is new and has only loopback")
def _(env):
    c = sh("readlink /proc/self/ns/net; ls /sys/class/net")
    out = ok_run(env, c).split()
    check(out[0] != host_ns("net"), "net namespace is the host's")
    eq(out[1:], ["lo"], "interfaces in the new network namespace")


@test("linux.namespaces: pid namespace makes the process pid 1")
def _(env):
    eq(ok_run(env, sh("echo $$")).strip(), "1", "pid inside the container")


@test("linux.namespaces: path joins an existing namespace")
def _(env):
    holder = subprocess.Popen(["unshare", "--net", "--uts", "sleep", "60"])
    try:
        netns = f"/proc/{holder.pid}/ns/net"
        # Until unshare has run, the holder is still in our namespace: wait for it (a slow or emulated
        # machine can take well over the 0.3 s a fixed sleep assumed).
        deadline = time.monotonic() + 10
        while os.readlink(netns) == os.readlink("/proc/self/ns/net") and time.monotonic() < deadline:
            time.sleep(0.05)
        want = os.readlink(netns)
        check(want != os.readlink("/proc/self/ns/net"), "unshare --net did not create a namespace in 10 s")
        c = cfg(["/bin/true"])
        c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] != "network"]
        c["linux"]["namespaces"].append({"type": "network", "path": netns})
        eq(ns_links(env, c)["net"], want, "net namespace joined by path")
    finally:
        holder.kill()
        holder.wait()


@test("linux.namespaces: a duplicated namespace type is an error")
def _(env):
    c = cfg(["/bin/true"])
    c["linux"]["namespaces"].append({"type": "ipc"})
    expect_create_error(env, c, "a duplicated ipc namespace")


@test("linux.namespaces: a path to a non-namespace file is an error")
def _(env):
    c = cfg(["/bin/true"])
    c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] != "ipc"]
    c["linux"]["namespaces"].append({"type": "ipc", "path": "/etc/hostname"})
    expect_create_error(env, c, "an ipc namespace path that is not a namespace")


def userns_config(args):
    c = cfg(args)
    c["linux"]["namespaces"].append({"type": "user"})
    c["linux"]["uidMappings"] = [{"containerID": 0, "hostID": 200000, "size": 65536}]
    c["linux"]["gidMappings"] = [{"containerID": 0, "hostID": 300000, "size": 65536}]
    return c


@test("linux.uidMappings/gidMappings: user namespace maps are written")
def _(env):
    c = userns_config(["/bin/sh", "-c", "cat /proc/self/uid_map /proc/self/gid_map; readlink /proc/self/ns/user"])
    out = ok_run(env, c).split()
    eq(out[0:3], ["0", "200000", "65536"], "uid_map")
    eq(out[3:6], ["0", "300000", "65536"], "gid_map")
    check(out[6] != host_ns("user"), "user namespace is the host's")


@test("linux.uidMappings: container root is the mapped host uid")
def _(env):
    cid = env.new_id("userns")
    c = userns_config(["/bin/sleep", "30"])
    b = env.bundle(c)
    eq(env.create(cid, b).returncode, 0, "create exit code")
    pid = env.state(cid)["pid"]
    env.rt("start", cid)
    env.wait_status(cid, "running")
    with open(f"/proc/{pid}/status") as f:
        text = f.read()
    uid = [ln.split()[1:] for ln in text.splitlines() if ln.startswith("Uid:")][0]
    gid = [ln.split()[1:] for ln in text.splitlines() if ln.startswith("Gid:")][0]
    eq(uid, ["200000"] * 4, "host view of the container uid")
    eq(gid, ["300000"] * 4, "host view of the container gid")


@test("linux.devices: default devices exist with the right type and numbers")
def _(env):
    out = ok_run(env, sh("for d in null zero full random urandom tty; do stat -c '%n %F %t:%T %a' /dev/$d; done"))
    want = {"/dev/null": "1:3", "/dev/zero": "1:5", "/dev/full": "1:7", "/dev/random": "1:8",
            "/dev/urandom": "1:9", "/dev/tty": "5:0"}
    got = {}
    for line in out.splitlines():
        parts = line.split()
        got[parts[0]] = (parts[1:4], parts[-2], parts[-1])
        check("character" in line, f"{parts[0]} is not a character device: {line}")
    for n, mm in want.items():
        check(n in got, f"{n} missing")
        maj, mi = (int(x, 16) for x in got[n][1].split(":"))
        eq(f"{maj}:{mi}", mm, f"{n} major:minor")
        eq(got[n][2], "666", f"{n} mode")


@test("linux.devices: default devices are usable although linux.resources.devices denies all")
def _(env):
    # config-linux.md "Default Devices": the runtime MUST supply them; engines send a deny-all
    # device cgroup rule and rely on the runtime to allow these (as runc does).
    out = ok_run(env, sh("for d in null zero full random urandom; do (: < /dev/$d) 2>/dev/null && echo $d-r || echo $d-denied; done; "
                         "(echo x > /dev/null) 2>/dev/null && echo null-w || echo null-w-denied; "
                         "(: < /dev/ptmx) 2>/dev/null && echo ptmx-r || echo ptmx-denied"))
    eq(out.split(), ["null-r", "zero-r", "full-r", "random-r", "urandom-r", "null-w", "ptmx-r"], "device access")


@test("linux.devices: default symlinks /dev/fd, stdin, stdout, stderr and /dev/ptmx")
def _(env):
    out = ok_run(env, sh("for l in fd stdin stdout stderr; do echo $l=$(readlink /dev/$l); done; "
                         "test -e /dev/ptmx && echo ptmx=yes"))
    got = dict(line.split("=", 1) for line in out.split())
    eq(got.get("fd"), "/proc/self/fd", "/dev/fd")
    eq(got.get("stdin"), "/proc/self/fd/0", "/dev/stdin")
    eq(got.get("stdout"), "/proc/self/fd/1", "/dev/stdout")
    eq(got.get("stderr"), "/proc/self/fd/2", "/dev/stderr")
    eq(got.get("ptmx"), "yes", "/dev/ptmx")


@test("linux.devices: a configured device node is created with type, numbers, mode and owner")
def _(env):
    c = sh("stat -c '%F %t:%T %a %u:%g' /dev/conf-char /dev/conf-blk")
    c["linux"]["devices"] = [
        {"path": "/dev/conf-char", "type": "c", "major": 1, "minor": 3, "fileMode": 0o620, "uid": 11, "gid": 12},
        {"path": "/dev/conf-blk", "type": "b", "major": 7, "minor": 99, "fileMode": 0o600, "uid": 0, "gid": 0}]
    lines = ok_run(env, c).splitlines()
    eq(lines[0], "character special file 1:3 620 11:12", "char device")
    eq(lines[1], "block special file 7:63 600 0:0", "block device")


@test("linux.resources.devices: a device is usable only when the cgroup rules allow it")
def _(env):
    if not os.path.exists("/dev/fuse"):
        raise Skip("needs /dev/fuse (10:229) on the host")
    # Opening /dev/fuse needs no capability and no default rule allows it (runc's allow tun),
    # so EPERM can only come from the device cgroup.
    c = sh("(: < /dev/fuse-allowed) 2>/dev/null && echo allowed-ok || echo allowed-blocked; "
           "(: < /dev/fuse-denied) 2>/dev/null && echo denied-opened || echo denied-blocked")
    c["linux"]["devices"] = [
        {"path": "/dev/fuse-allowed", "type": "c", "major": 10, "minor": 229, "fileMode": 0o666},
        {"path": "/dev/fuse-denied", "type": "c", "major": 10, "minor": 229, "fileMode": 0o666}]
    c["linux"]["resources"]["devices"] = [{"allow": False, "access": "rwm"},
                                          {"allow": True, "type": "c", "major": 10, "minor": 229, "access": "rwm"}]
    out = ok_run(env, c).split()
    check("allowed-ok" in out, f"allowed device could not be opened: {out}")
    c["linux"]["resources"]["devices"] = [{"allow": False, "access": "rwm"}]
    out = ok_run(env, c).split()
    check("denied-blocked" in out, f"denied device could be opened: {out}")


@test("linux.sysctl: namespaced sysctls are set inside the container")
def _(env):
    c = cfg(["/bin/cat", "/proc/sys/net/ipv4/ip_forward", "/proc/sys/kernel/shm_rmid_forced",
             "/proc/sys/net/ipv4/ping_group_range"])
    c["linux"]["sysctl"] = {"net.ipv4.ip_forward": "1", "kernel.shm_rmid_forced": "1",
                            "net.ipv4.ping_group_range": "0 2147483647"}
    out = ok_run(env, c, wrap=["unshare", "--net", "--ipc"]).split()
    eq(out[:2], ["1", "1"], "ip_forward, shm_rmid_forced")
    eq(out[2:], ["0", "2147483647"], "ping_group_range")


@test("linux.sysctl: a net sysctl without a new network namespace is an error")
def _(env):
    c = cfg(["/bin/true"])
    c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] != "network"]
    c["linux"]["sysctl"] = {"net.ipv4.ip_forward": "1"}
    # Run the runtime in a throwaway network namespace so a wrong write cannot reach the host.
    require_runtime_works(env)
    r = env.run(c, wrap=["unshare", "--net"])
    check(r.returncode != 0, "net.ipv4.ip_forward accepted without a new network namespace")


@test("linux.sysctl: a non-namespaced sysctl is an error")
def _(env):
    c = cfg(["/bin/true"])
    # The current value: harmless even if a broken runtime writes it to the host.
    with open("/proc/sys/vm/swappiness") as f:
        c["linux"]["sysctl"] = {"vm.swappiness": f.read().strip()}
    expect_create_error(env, c, "vm.swappiness (not namespaced)")


@test("linux.maskedPaths: files read empty and directories are empty")
def _(env):
    c = sh("wc -c < /proc/keys; ls -A /masked-dir | wc -l; cat /masked-dir/../masked-file | wc -c")
    c["linux"]["maskedPaths"] = ["/proc/keys", "/masked-dir", "/masked-file", "/does-not-exist"]
    cid = env.new_id("masked")
    b = env.bundle(c)
    os.makedirs(os.path.join(b, "rootfs/masked-dir"))
    with open(os.path.join(b, "rootfs/masked-dir/secret"), "w") as f:
        f.write("secret")
    with open(os.path.join(b, "rootfs/masked-file"), "w") as f:
        f.write("secret")
    env.live_ids.add(cid)
    r = env.rt("run", "--bundle", b, cid)
    env.force_delete(cid)
    eq(r.returncode, 0, f"run exit code ({r.stderr.strip()[:200]})")
    eq(r.stdout.split(), ["0", "0", "0"], "bytes in /proc/keys, entries in masked dir, bytes in masked file")


@test("linux.readonlyPaths: paths are read-only, the rest stays writable")
def _(env):
    c = sh("touch /ro-dir/x 2>/dev/null && echo ro-writable || echo ro-denied; "
           "echo 1 > /proc/sys/kernel/domainname 2>/dev/null && echo sys-writable || echo sys-denied; "
           "touch /rw-dir/x && echo rw-ok")
    c["linux"]["readonlyPaths"] = ["/ro-dir", "/proc/sys"]
    cid = env.new_id("ro")
    b = env.bundle(c)
    os.makedirs(os.path.join(b, "rootfs/ro-dir"))
    os.makedirs(os.path.join(b, "rootfs/rw-dir"))
    env.live_ids.add(cid)
    r = env.rt("run", "--bundle", b, cid)
    env.force_delete(cid)
    eq(r.stdout.split(), ["ro-denied", "sys-denied", "rw-ok"], "write results")


@test("root.readonly: the root filesystem is read-only")
def _(env):
    c = sh("touch /newfile 2>/dev/null && echo writable || echo denied; awk '$5 == \"/\" {print $6}' /proc/self/mountinfo")
    c["root"]["readonly"] = True
    out = ok_run(env, c).split()
    eq(out[0], "denied", "write to /")
    check(out[1].split(",")[0] == "ro", f"/ mount options {out[1]} are not ro")


@test("linux.seccomp: a syscall rule with errnoRet is enforced and the filter is installed")
def _(env):
    c = sh("grep ^Seccomp: /proc/self/status; mkdir /tmp/x 2>&1; echo rc=$?")
    c["linux"]["seccomp"] = {"defaultAction": "SCMP_ACT_ALLOW",
                             "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
                             "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}
    out = ok_run(env, c)
    check("Seccomp:\t2" in out, f"seccomp filter mode not 2: {out!r}")
    check("Operation not permitted" in out and "rc=1" in out, f"mkdir not blocked with EPERM: {out!r}")


@test("linux.seccomp: argument conditions select the rule")
def _(env):
    # Block kill(pid, SIGUSR1) only; kill(pid, 0) must still work.
    c = sh("kill -0 $$ && echo sig0-ok; kill -USR1 $$ 2>/dev/null && echo usr1-sent || echo usr1-blocked")
    c["linux"]["seccomp"] = {"defaultAction": "SCMP_ACT_ALLOW",
                             "syscalls": [{"names": ["kill"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1,
                                           "args": [{"index": 1, "value": 10, "op": "SCMP_CMP_EQ"}]}]}
    eq(ok_run(env, c).split(), ["sig0-ok", "usr1-blocked"], "kill results")


@test("linux.seccomp: an unknown syscall action is an error")
def _(env):
    c = cfg(["/bin/true"])
    c["linux"]["seccomp"] = {"defaultAction": "SCMP_ACT_BOGUS"}
    expect_create_error(env, c, "seccomp defaultAction SCMP_ACT_BOGUS")


@test("linux.personality: LINUX32 domain changes uname -m")
def _(env):
    if os.uname().machine != "x86_64":
        raise Skip("LINUX32 check is for x86_64 hosts")
    c = cfg(["/bin/uname", "-m"])
    c["linux"]["personality"] = {"domain": "LINUX32"}
    eq(ok_run(env, c).strip(), "i686", "uname -m")


@test("process.apparmorProfile / selinuxLabel: not testable without an LSM")
def _(env):
    if not os.path.exists("/sys/kernel/security/apparmor") and not os.path.exists("/sys/fs/selinux/enforce"):
        raise Skip("neither AppArmor nor SELinux is enabled on this kernel")
    raise Skip("LSM label checks are not implemented in this suite")


@test("linux.namespaces time + linux.timeOffsets: offsets applied in the new time namespace")
def _(env):
    if not os.path.exists("/proc/self/ns/time"):
        raise Skip("kernel without time namespaces")
    c = cfg(["/bin/sh", "-c", "readlink /proc/self/ns/time; cat /proc/self/timens_offsets"])
    c["linux"]["namespaces"].append({"type": "time"})
    c["linux"]["timeOffsets"] = {"monotonic": {"secs": 86400, "nanosecs": 0},
                                 "boottime": {"secs": 3600, "nanosecs": 0}}
    lines = ok_run(env, c).splitlines()
    check(lines and lines[0] != host_ns("time"), f"time namespace is the host's: {lines[:1]}")
    offs = {ln.split()[0]: ln.split()[1:] for ln in lines[1:] if ln.strip()}
    eq(offs.get("monotonic"), ["86400", "0"], "monotonic offset")
    eq(offs.get("boottime"), ["3600", "0"], "boottime offset")


@test("process.ioPriority: I/O class and priority applied")
def _(env):
    c = cfg(["/bin/ionice", "-p", "1"], process={"ioPriority": {"class": "IOPRIO_CLASS_BE", "priority": 5}})
    out = ok_run(env, c).strip()
    check("best-effort" in out and "prio 5" in out, f"ionice reports {out!r}")
