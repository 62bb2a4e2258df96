"""config-linux.md control groups: cgroupsPath, resources written to the controller files,
limits enforced, cgroup removed on delete. Both cgroup v1 (this machine is hybrid) and a pure
cgroup v2 host (e.g. tests/v2vm/v2vm.sh) are supported; the file names differ."""

import os
import time

from harness import Fail, Skip, check, eq, sh
from registry import test

V1 = "/sys/fs/cgroup"


def is_v1():
    return os.path.isdir(f"{V1}/memory") and os.path.exists(f"{V1}/memory/memory.limit_in_bytes")


def cg_file(ctrl, cid, name):
    if is_v1():
        return f"{V1}/{ctrl}/{cid}/{name}"
    return f"{V1}/{cid}/{name}"


def read(path):
    with open(path) as f:
        return f.read().strip()


def started(env, config, tag):
    cid = env.new_id(tag)
    config["linux"]["cgroupsPath"] = "/" + cid
    b = env.bundle(config)
    env.bundle_of[cid] = b
    r = env.create(cid, b)
    if r.returncode != 0:
        raise Fail(f"create failed: {r.stderr.strip()[:300]}")
    eq(env.rt("start", cid).returncode, 0, "start exit code")
    return cid, env.wait_status(cid, "running")


def is_v2():
    return os.path.exists(f"{V1}/cgroup.controllers")


def v1_only():
    if not is_v1():
        raise Skip("cgroup v1 only check; this host is not v1")


def v1_or_v2():
    if not is_v1() and not is_v2():
        raise Skip("neither a cgroup v1 memory hierarchy nor cgroup2 at /sys/fs/cgroup")


def crun_weight(shares):
    import math
    lg = math.log2(shares)
    return math.ceil(10 ** ((lg * lg + 125 * lg) / 612.0 - 7.0 / 34.0))


def kv(text):
    return dict(ln.split(None, 1) for ln in text.splitlines() if ln.strip())


@test("linux.cgroupsPath: the container process is in that cgroup for every controller")
def _(env):
    v1_or_v2()
    cid, st = started(env, sh("sleep 30"), "cgpath")
    for ctrl in ("memory", "pids", "cpu", "devices", "freezer", "blkio", "cpuset") if is_v1() else ("unified",):
        procs = read(cg_file(ctrl, cid, "cgroup.procs")).split()
        check(str(st["pid"]) in procs, f"pid {st['pid']} not in {ctrl}/{cid}/cgroup.procs")


@test("linux.resources.memory: limit, reservation, swap written")
def _(env):
    v1_or_v2()
    c = sh("sleep 30")
    c["linux"]["resources"]["memory"] = {"limit": 64 << 20, "reservation": 32 << 20, "swap": 128 << 20}
    cid, _ = started(env, c, "cgmem")
    if is_v2():
        eq(read(cg_file("memory", cid, "memory.max")), str(64 << 20), "memory.max")
        eq(read(cg_file("memory", cid, "memory.low")), str(32 << 20), "memory.low")
        # OCI swap is memory+swap; cgroup2 memory.swap.max is swap alone.
        eq(read(cg_file("memory", cid, "memory.swap.max")), str(64 << 20), "memory.swap.max")
        return
    eq(read(cg_file("memory", cid, "memory.limit_in_bytes")), str(64 << 20), "memory.limit_in_bytes")
    eq(read(cg_file("memory", cid, "memory.soft_limit_in_bytes")), str(32 << 20), "memory.soft_limit_in_bytes")
    p = cg_file("memory", cid, "memory.memsw.limit_in_bytes")
    if os.path.exists(p):
        eq(read(p), str(128 << 20), "memory.memsw.limit_in_bytes")


@test("linux.resources.memory: exceeding the limit gets the process OOM-killed")
def _(env):
    v1_or_v2()
    # Doubling a shell string to 128 MiB needs no device nodes (/dev/zero may be the bug).
    c = sh("sleep 0.3; x=a; i=0; while [ $i -lt 27 ]; do x=\"$x$x\"; i=$((i+1)); done; echo survived")
    c["linux"]["resources"]["memory"] = {"limit": 16 << 20, "swap": 16 << 20}
    cid, _ = started(env, c, "oom")
    env.wait_status(cid, "stopped", timeout=20)
    events = "memory.events" if is_v2() else "memory.oom_control"
    oom = {k: v.strip() for k, v in kv(read(cg_file("memory", cid, events))).items()}
    with open(os.path.join(env.bundle_of[cid], "ctr.out")) as f:
        check("survived" not in f.read(), "process allocating 128MiB survived a 16MiB limit")
    check(int(oom.get("oom_kill", "0")) >= 1, f"no OOM kill recorded in {events}: {oom}")


@test("linux.resources.cpu: shares, quota, period, cpuset written")
def _(env):
    v1_or_v2()
    c = sh("sleep 30")
    c["linux"]["resources"]["cpu"] = {"shares": 512, "quota": 50000, "period": 100000, "cpus": "0", "mems": "0"}
    cid, _ = started(env, c, "cgcpu")
    if is_v2():
        # The spec does not define the shares -> cgroup2 weight mapping. Accept runc's linear one,
        # 1 + (shares - 2) * 9999 / 262142 (512 -> 20), and crun's log-based one that maps the
        # default 1024 to the default weight 100 (512 -> 59).
        w = read(cg_file("cpu", cid, "cpu.weight"))
        check(w in (str(1 + (512 - 2) * 9999 // 262142), str(crun_weight(512))),
              f"cpu.weight {w} for shares 512 is neither runc's (20) nor crun's ({crun_weight(512)}) conversion")
        eq(read(cg_file("cpu", cid, "cpu.max")), "50000 100000", "cpu.max")
        eq(read(cg_file("cpuset", cid, "cpuset.cpus")), "0", "cpuset.cpus")
        eq(read(cg_file("cpuset", cid, "cpuset.mems")), "0", "cpuset.mems")
        return
    eq(read(cg_file("cpu", cid, "cpu.shares")), "512", "cpu.shares")
    eq(read(cg_file("cpu", cid, "cpu.cfs_quota_us")), "50000", "cpu.cfs_quota_us")
    eq(read(cg_file("cpu", cid, "cpu.cfs_period_us")), "100000", "cpu.cfs_period_us")
    eq(read(cg_file("cpuset", cid, "cpuset.cpus")), "0", "cpuset.cpus")
    eq(read(cg_file("cpuset", cid, "cpuset.mems")), "0", "cpuset.mems")


@test("linux.resources.pids: limit written and enforced")
def _(env):
    v1_or_v2()
    c = sh("(for i in 1 2 3 4 5 6 7 8 9 10; do sleep 5 & done) 2>&-; exec sleep 30")
    c["linux"]["resources"]["pids"] = {"limit": 4}
    cid, _ = started(env, c, "cgpids")
    eq(read(cg_file("pids", cid, "pids.max")), "4", "pids.max")
    time.sleep(0.5)
    cur = int(read(cg_file("pids", cid, "pids.current")))
    check(cur <= 4, f"pids.current {cur} exceeds the limit")
    check(int(read(cg_file("pids", cid, "pids.events")).split()[-1]) > 0, "no fork was refused (pids.events max 0)")


@test("linux.resources.blockIO: weight written")
def _(env):
    v1_only()
    c = sh("sleep 30")
    c["linux"]["resources"]["blockIO"] = {"weight": 300}
    cid = env.new_id("cgblkio")
    probe = f"{V1}/blkio/blkio.weight"
    if not os.path.exists(probe) and not os.path.exists(f"{V1}/blkio/blkio.bfq.weight"):
        raise Skip("blkio weight files are not available on this kernel")
    c["linux"]["cgroupsPath"] = "/" + cid
    cid, _ = started(env, c, "cgblkio")
    for name in ("blkio.weight", "blkio.bfq.weight"):
        p = cg_file("blkio", cid, name)
        if os.path.exists(p):
            eq(read(p).split()[-1], "300", name)
            return
    raise Fail("no blkio weight file in the container cgroup")


@test("linux.resources.devices: rules are written to the devices cgroup")
def _(env):
    v1_only()
    c = sh("sleep 30")
    c["linux"]["resources"]["devices"] = [{"allow": False, "access": "rwm"},
                                          {"allow": True, "type": "c", "major": 10, "minor": 229, "access": "rw"}]
    cid, _ = started(env, c, "cgdev")
    rules = read(cg_file("devices", cid, "devices.list")).splitlines()
    check("c 10:229 rw" in rules, f"c 10:229 rw missing from devices.list: {rules}")
    check("a *:* rwm" not in rules, "devices.list still allows everything")


@test("delete: the container cgroup is removed")
def _(env):
    v1_or_v2()
    cid, _ = started(env, sh("sleep 30"), "cgdelete")
    check(os.path.isdir(os.path.dirname(cg_file("memory", cid, "x"))), "cgroup was not created")
    env.rt("kill", cid, "KILL")
    env.wait_status(cid, "stopped")
    eq(env.rt("delete", cid).returncode, 0, "delete exit code")
    env.live_ids.discard(cid)
    for ctrl in ("memory", "pids", "cpu", "devices", "freezer", "blkio", "cpuset"):
        d = os.path.dirname(cg_file(ctrl, cid, "x"))
        check(not os.path.exists(d), f"{d} left behind")


@test("linux.namespaces cgroup: the container sees its cgroup as the root")
def _(env):
    c = sh("cat /proc/self/cgroup")
    c["linux"]["namespaces"].append({"type": "cgroup"})
    c["linux"]["cgroupsPath"] = "/" + env.new_id("cgns")
    r = env.run(c)
    eq(r.returncode, 0, f"run exit code ({r.stderr.strip()[:200]})")
    paths = {ln.split(":", 2)[1]: ln.split(":", 2)[2] for ln in r.stdout.splitlines()}
    key = "" if is_v2() else "memory"
    eq(paths.get(key), "/", f"{key or 'unified'} cgroup path inside a cgroup namespace")


@test("mounts: cgroup filesystem shows the container's own limits")
def _(env):
    v1_or_v2()
    files = "/sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max" if is_v2() else \
        "/sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max"
    c = sh("cat " + files)
    c["mounts"].append({"destination": "/sys/fs/cgroup", "type": "cgroup2" if is_v2() else "cgroup", "source": "cgroup",
                        "options": ["nosuid", "noexec", "nodev", "relatime", "ro"]})
    c["linux"]["namespaces"].append({"type": "cgroup"})
    c["linux"]["resources"]["memory"] = {"limit": 48 << 20}
    c["linux"]["resources"]["pids"] = {"limit": 77}
    c["linux"]["cgroupsPath"] = "/" + env.new_id("cgmount")
    r = env.run(c)
    eq(r.returncode, 0, f"run exit code ({r.stderr.strip()[:200]})")
    eq(r.stdout.split(), [str(48 << 20), "77"], "limits read through /sys/fs/cgroup")


def cgroup_dirs_of(pid):
    """Host directories of every cgroup hierarchy the process is in (v1 controllers, named
    hierarchies and the unified one)."""
    dirs = set()
    with open(f"/proc/{pid}/cgroup") as f:
        for line in f:
            _hid, ctrls, path = line.rstrip("\n").split(":", 2)
            if ctrls == "":
                base = f"{V1}/unified" if os.path.isdir(f"{V1}/unified") else V1
            else:
                name = ctrls.split(",")[0].replace("name=", "")
                base = f"{V1}/{name}" if os.path.isdir(f"{V1}/{name}") else f"{V1}/{ctrls}"
            dirs.add(os.path.normpath(base + path))
    return dirs


@test("delete: cgroups created for a container without cgroupsPath are removed in every hierarchy")
def _(env):
    cid = env.new_id("cgdefault")
    b = env.bundle(sh("sleep 30"))
    r = env.create(cid, b)
    eq(r.returncode, 0, f"create exit code ({r.stderr.strip()[:200]})")
    pid = env.state(cid)["pid"]
    created = cgroup_dirs_of(pid) - cgroup_dirs_of(os.getpid())
    check(created, "the container process is in no cgroup of its own")
    env.rt("kill", cid, "KILL")
    env.wait_status(cid, "stopped")
    eq(env.rt("delete", cid).returncode, 0, "delete exit code")
    env.live_ids.discard(cid)
    left = sorted(d for d in created if os.path.isdir(d))
    eq(left, [], "cgroup directories left after delete")
