"""config.md mounts and config-linux.md rootfsPropagation, read back from /proc/self/mountinfo."""

import os
import shutil
import tempfile

from harness import check, eq, sh
from registry import test
from t_process import ok_run, expect_create_error

MOUNTINFO = "cat /proc/self/mountinfo"


def parse_mountinfo(text):
    """Return {mountpoint: (mount options, optional fields, fstype, super options)}; last wins."""
    res = {}
    for line in text.splitlines():
        left, _, right = line.partition(" - ")
        f = left.split()
        if len(f) < 6:
            continue
        r = right.split()
        res[f[4]] = {"opts": f[5].split(","), "optional": f[6:], "type": r[0] if r else "",
                     "super": r[2].split(",") if len(r) > 2 else []}
    return res


def run_with_dir(env, config, host_dir_cb=None):
    """Run config with a host temp dir substituted for @HOST@ in mount sources."""
    d = tempfile.mkdtemp(prefix="hostdir-", dir=env.base)
    os.chmod(d, 0o755)
    if host_dir_cb:
        host_dir_cb(d)
    for m in config["mounts"]:
        m["source"] = m["source"].replace("@HOST@", d)
    try:
        return d, ok_run(env, config)
    except Exception:
        shutil.rmtree(d, ignore_errors=True)
        raise


@test("mounts: default filesystems proc, sysfs, devpts, tmpfs /dev, shm, mqueue")
def _(env):
    mi = parse_mountinfo(ok_run(env, sh(MOUNTINFO)))
    for mp, typ in (("/proc", "proc"), ("/sys", "sysfs"), ("/dev", "tmpfs"), ("/dev/pts", "devpts"),
                    ("/dev/shm", "tmpfs"), ("/dev/mqueue", "mqueue")):
        check(mp in mi, f"{mp} not mounted")
        eq(mi[mp]["type"], typ, f"{mp} type")
    check("ro" in mi["/sys"]["opts"], f"/sys options {mi['/sys']['opts']} not ro")
    for o in ("nosuid", "noexec", "nodev"):
        check(o in mi["/dev/shm"]["opts"], f"/dev/shm lacks {o}")


@test("mounts: tmpfs with options (ro/nosuid/nodev/noexec, size, mode) is applied")
def _(env):
    c = sh(MOUNTINFO + "; stat -c 'mode=%a' /t")
    c["mounts"].append({"destination": "/t", "type": "tmpfs", "source": "tmpfs",
                        "options": ["nosuid", "nodev", "noexec", "size=1m", "mode=710", "ro"]})
    out = ok_run(env, c)
    mi = parse_mountinfo(out)
    check("/t" in mi, "/t not mounted")
    eq(mi["/t"]["type"], "tmpfs", "type")
    for o in ("ro", "nosuid", "nodev", "noexec"):
        check(o in mi["/t"]["opts"], f"/t lacks {o}: {mi['/t']['opts']}")
    check("size=1024k" in mi["/t"]["super"], f"/t size: {mi['/t']['super']}")
    check("mode=710" in out, "mode 710 not applied")


@test("mounts: destination that does not exist is created")
def _(env):
    c = sh("test -d /deep/new/dir && echo created")
    c["mounts"].append({"destination": "/deep/new/dir", "type": "tmpfs", "source": "tmpfs"})
    eq(ok_run(env, c).strip(), "created", "mountpoint")


@test("mounts: rw bind mount writes reach the host")
def _(env):
    c = sh("echo from-container > /data/out")
    c["mounts"].append({"destination": "/data", "type": "bind", "source": "@HOST@", "options": ["rbind", "rw"]})
    d, _ = run_with_dir(env, c)
    with open(os.path.join(d, "out")) as f:
        eq(f.read().strip(), "from-container", "host file content")


@test("mounts: ro bind mount is readable and not writable")
def _(env):
    def prep(d):
        with open(os.path.join(d, "in"), "w") as f:
            f.write("from-host")
    c = sh("cat /data/in; echo; touch /data/new 2>/dev/null && echo writable || echo denied; " + MOUNTINFO)
    c["mounts"].append({"destination": "/data", "type": "bind", "source": "@HOST@", "options": ["rbind", "ro"]})
    d, out = run_with_dir(env, c, prep)
    lines = out.splitlines()
    eq(lines[0], "from-host", "file read through the bind mount")
    eq(lines[1], "denied", "write to ro bind mount")
    check(not os.path.exists(os.path.join(d, "new")), "file created on host")
    check("ro" in parse_mountinfo(out)["/data"]["opts"], "/data not ro in mountinfo")


@test("mounts: bind mount of a single file")
def _(env):
    def prep(d):
        with open(os.path.join(d, "f"), "w") as f:
            f.write("single-file")
    c = sh("cat /etc/injected")
    c["mounts"].append({"destination": "/etc/injected", "type": "bind", "source": "@HOST@/f", "options": ["bind", "ro"]})
    _d, out = run_with_dir(env, c, prep)
    eq(out.strip(), "single-file", "bound file content")


@test("mounts: mounted in the listed order (later mount over earlier)")
def _(env):
    def prep(d):
        os.makedirs(os.path.join(d, "a/sub"))
        with open(os.path.join(d, "a/sub/marker"), "w") as f:
            f.write("bind")
    c = sh("ls /m; ls /m/sub; cat /proc/self/mountinfo | awk '{print $5}' | grep '^/m'")
    c["mounts"].append({"destination": "/m", "type": "tmpfs", "source": "tmpfs"})
    c["mounts"].append({"destination": "/m/sub", "type": "bind", "source": "@HOST@/a/sub", "options": ["rbind"]})
    _d, out = run_with_dir(env, c, prep)
    lines = out.split()
    eq(lines[:2], ["sub", "marker"], "nested mount contents")
    eq(lines[2:], ["/m", "/m/sub"], "mount order in mountinfo")


@test("mounts: nosuid/nodev/noexec on a bind mount")
def _(env):
    c = sh(MOUNTINFO)
    c["mounts"].append({"destination": "/data", "type": "bind", "source": "@HOST@",
                        "options": ["rbind", "nosuid", "nodev", "noexec"]})
    _d, out = run_with_dir(env, c)
    opts = parse_mountinfo(out)["/data"]["opts"]
    for o in ("nosuid", "nodev", "noexec"):
        check(o in opts, f"/data lacks {o}: {opts}")


@test("mounts: an unknown filesystem type is an error")
def _(env):
    c = sh("true")
    c["mounts"].append({"destination": "/bad", "type": "no-such-fs-type", "source": "none"})
    expect_create_error(env, c, "a mount of filesystem type no-such-fs-type")


@test("mounts: bind propagation option rshared makes the mount shared")
def _(env):
    c = sh(MOUNTINFO)
    c["linux"]["rootfsPropagation"] = "rprivate"
    c["mounts"].append({"destination": "/data", "type": "bind", "source": "@HOST@", "options": ["rbind", "rshared"]})
    _d, out = run_with_dir(env, c)
    opt = parse_mountinfo(out)["/data"]["optional"]
    check(any(o.startswith("shared:") for o in opt), f"/data is not shared: {opt}")


@test("linux.rootfsPropagation: shared makes / a shared mount")
def _(env):
    c = sh(MOUNTINFO)
    c["linux"]["rootfsPropagation"] = "shared"
    opt = parse_mountinfo(ok_run(env, c))["/"]["optional"]
    check(any(o.startswith("shared:") for o in opt), f"/ is not shared: {opt}")


@test("linux.rootfsPropagation: private leaves / neither shared nor slave")
def _(env):
    c = sh(MOUNTINFO)
    c["linux"]["rootfsPropagation"] = "private"
    opt = parse_mountinfo(ok_run(env, c))["/"]["optional"]
    check(not any(o.startswith(("shared:", "master:")) for o in opt), f"/ propagation: {opt}")


@test("root.path: the container sees the bundle rootfs as /")
def _(env):
    cid = env.new_id("rootpath")
    b = env.bundle(sh("cat /marker-file"))
    with open(os.path.join(b, "rootfs/marker-file"), "w") as f:
        f.write(cid)
    env.live_ids.add(cid)
    r = env.rt("run", "--bundle", b, cid)
    env.force_delete(cid)
    eq(r.stdout.strip(), cid, "marker file read from /")


@test("root.path: the host filesystem is not reachable (pivot_root, no escape via ..)")
def _(env):
    # This suite's own directory exists on the host wherever it runs, and never in the container's rootfs.
    host_dir = os.path.dirname(os.path.abspath(__file__))
    out = ok_run(env, sh(f"cd /; cd ../../..; ls / | sort | tr '\\n' ' '; test -e {host_dir} && echo host-visible; true"))
    check("host-visible" not in out, f"host root visible: {out}")
    check("bin" in out.split(), f"rootfs not at /: {out}")
